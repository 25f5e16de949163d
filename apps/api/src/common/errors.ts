/**
 * Domain errors. Services throw AppError with a stable code; one filter turns it into an
 * RFC 9457 problem (application/problem+json). Services never throw HttpException.
 */
export const ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  MALFORMED_JSON: 400,
  BAD_REQUEST: 400,
  /** A recipient (主送/抄送) names a unit or group the directory does not have. */
  UNKNOWN_RECIPIENT: 400,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  FORBIDDEN: 403,
  FORBIDDEN_ROLE: 403,
  CSRF_FAILED: 403,
  TOKEN_SCOPE: 403,
  NOT_PERMITTED: 403,
  OUTSIDE_AUTHORITY: 403,
  NOT_FOUND: 404,
  ROUTE_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  VERSION_CONFLICT: 409,
  DUPLICATE: 409,
  IDEMPOTENCY_CONFLICT: 422,
  PASSWORD_CONFIRMATION: 403,
  PRECONDITION_REQUIRED: 428,
  PRECONDITION_FAILED: 412,
  RANGE_NOT_SATISFIABLE: 416,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  GATE_FAILED: 422,
  /** The four checks (四性检测) failed at filing or on a received package. */
  RECORDS_CHECK_FAILED: 422,
  DOCX_CORRUPT: 400,
  NOT_DOCX: 415,
  EXPORT_APPROVAL_REQUIRED: 403,
  INVALID_TRANSITION: 422,
  READ_ONLY: 409,
  EXPORT_EXPIRED: 410,
  DOCUMENT_DISPOSED: 410,
  TOO_MANY_REQUESTS: 429,
  HEADERS_TOO_LARGE: 431,
  REQUEST_TIMEOUT: 408,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL: 500,
  // delegations (委托, apps/api/src/delegations)
  /** The deputy is not an active user of the principal's office, is the principal, or is an administrator. */
  DELEGATE_INVALID: 422,
  /** The period is not valid: it ends before it starts, is already over, or is longer than allowed. */
  DELEGATION_PERIOD: 422,
  /** The principal does not hold what he would hand over (a scope needs its role: sign → signer, read → reader/leader). */
  DELEGATION_SCOPE: 422,
  /** The principal holds that scope himself by delegation in the period: a deputy never passes it on. */
  DELEGATION_CHAIN: 409,
  /** The principal already delegated the same scope for an overlapping period. */
  DELEGATION_OVERLAP: 409,
  /** Acting for someone with no delegation from him that covers this now (none, over, revoked or another scope). */
  DELEGATION_NOT_ACTIVE: 403,
  /** The delegation was already revoked or is over. */
  DELEGATION_ENDED: 409,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

const TITLES: Partial<Record<ErrorCode, string>> = {
  VALIDATION_FAILED: 'Request validation failed',
  MALFORMED_JSON: 'Malformed JSON body',
  UNAUTHENTICATED: 'Authentication required',
  INVALID_CREDENTIALS: 'Invalid username or password',
  FORBIDDEN_ROLE: 'Your roles do not allow this',
  NOT_FOUND: 'Not found',
  VERSION_CONFLICT: 'The document has changed',
  PAYLOAD_TOO_LARGE: 'Request body too large',
  GATE_FAILED: 'A workflow gate is not satisfied',
  INTERNAL: 'Internal server error',
};

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    /** Shown to the user. */
    readonly detail: string,
    /** Extra members of the problem document (e.g. errors, currentVersion). */
    readonly extensions: Record<string, unknown> = {},
    /** Extra response headers (e.g. Retry-After, ETag). */
    readonly headers: Record<string, string> = {},
  ) {
    super(`${code}: ${detail}`);
    this.status = ERROR_STATUS[code];
  }
  get title(): string {
    return (
      TITLES[this.code] ??
      this.code
        .toLowerCase()
        .replace(/_/g, ' ')
        .replace(/^./, (c) => c.toUpperCase())
    );
  }
}

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  instance?: string;
  requestId?: string;
  [k: string]: unknown;
}

export function problemType(code: ErrorCode): string {
  return `https://gongwen.dev/problems/${code.toLowerCase().replace(/_/g, '-')}`;
}
