import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiExtraModels, ApiHeader, ApiQuery, ApiResponse } from '@nestjs/swagger';
import { z } from 'zod';
import { ERROR_STATUS, type ErrorCode } from './errors.js';
import { jsonSchema } from './zod.js';

/**
 * The contract's named schemas (OpenAPI `components.schemas`): every response payload is a zod schema
 * registered here under a stable name, referenced with `$ref` from the operations (see `named`).
 */
export const contract = z.registry<{ id: string }>();

/** Registers a response schema under a stable component name; returns it unchanged. */
export function named<T extends z.ZodType>(id: string, schema: T): T {
  contract.add(schema, { id });
  return schema;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

// ------------------------------------------------------------------------------------------ problems

export const PROBLEM_CODES = Object.keys(ERROR_STATUS) as ErrorCode[];

/** The extras some problems carry, by code (the rest carry only the base members, and `errors` on a 400). */
const PROBLEM_VARIANTS: Record<
  string,
  { codes: ErrorCode[]; description: string; properties: Record<string, unknown>; required: string[] }
> = {
  ValidationProblem: {
    codes: ['VALIDATION_FAILED'],
    description: 'The request (body, query, path or header) is not valid; `errors` names each field.',
    properties: {},
    required: [],
  },
  GateFailedProblem: {
    codes: ['GATE_FAILED'],
    description: 'A workflow gate refused the event: the gate and every unmet condition.',
    properties: {
      gate: { type: 'string', description: 'The gate (proofreading, review, signing, circulation …)' },
      conditions: {
        type: 'array',
        items: {
          type: 'object',
          required: ['code', 'message'],
          additionalProperties: false,
          properties: {
            code: { type: 'string' },
            message: { type: 'string' },
            params: {
              type: 'object',
              description:
                "The specifics, for a message in the reader's language: sectionId, title, markIds, userId, issuerUnitId, items (check numbers), element, role …",
              additionalProperties: {
                anyOf: [
                  { type: 'string' },
                  { type: 'number' },
                  { type: 'array', items: { type: 'string' } },
                  { type: 'array', items: { type: 'number' } },
                ],
              },
            },
          },
        },
      },
    },
    required: ['gate', 'conditions'],
  },
  VersionConflictProblem: {
    codes: ['VERSION_CONFLICT'],
    description: "If-Match named a stale version; `currentVersion` is the document's (also the ETag).",
    properties: { currentVersion: { type: 'integer' } },
    required: ['currentVersion'],
  },
  OutsideAuthorityProblem: {
    codes: ['OUTSIDE_AUTHORITY'],
    description: "The signer's authority scope does not cover the document; `missing` says what is outside it.",
    properties: { missing: { type: 'array', items: { type: 'string' } } },
    required: ['missing'],
  },
  NotPermittedProblem: {
    codes: ['NOT_PERMITTED'],
    description: 'You may not do this at this step; the state, the event and the events you may send.',
    properties: { state: { type: 'string' }, event: { type: 'string' }, allowedEvents: { type: 'array', items: { type: 'string' } } },
    required: [],
  },
  ConflictProblem: {
    codes: ['CONFLICT'],
    description: 'The resource is busy or in a conflicting state; `pending`, `exportId` or `exportStatus` name what is in the way.',
    properties: {
      pending: { type: 'array', items: { type: 'string', format: 'uuid' } },
      exportId: { type: 'string', format: 'uuid' },
      exportStatus: {
        type: 'string',
        enum: ['queued', 'running', 'done', 'failed', 'expired'],
        description: 'A volume export that is not done yet',
      },
      items: {
        type: 'array',
        description: 'Archive items that block a disposal, each with why',
        items: {
          type: 'object',
          required: ['itemId', 'archivalNumber', 'problem'],
          additionalProperties: false,
          properties: { itemId: { type: 'string', format: 'uuid' }, archivalNumber: { type: 'string' }, problem: { type: 'string' } },
        },
      },
    },
    required: [],
  },
  RecordsCheckFailedProblem: {
    codes: ['RECORDS_CHECK_FAILED'],
    description: 'The four checks (四性检测) failed: each failing check with what it found.',
    properties: {
      checks: {
        type: 'array',
        items: {
          type: 'object',
          required: ['check', 'label', 'subject', 'found'],
          additionalProperties: false,
          properties: {
            check: { type: 'string', description: 'The check id, e.g. authenticity.audit_chain' },
            label: { type: 'string', description: '检测项目, in Chinese' },
            subject: { type: ['string', 'null'], description: 'The archival number checked, or null for the whole package' },
            found: { type: 'string', description: 'What was measured and found' },
          },
        },
      },
      receiptId: { type: 'string', format: 'uuid', description: 'A refused transfer: its receipt' },
    },
    required: ['checks'],
  },
  ExportExpiredProblem: {
    codes: ['EXPORT_EXPIRED'],
    description: "The export's file was deleted after its retention.",
    properties: { exportStatus: { const: 'expired' } },
    required: [],
  },
};

const STATUS_TITLES: Record<number, string> = {
  400: 'Invalid request',
  401: 'Not authenticated',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict',
  410: 'Gone',
  412: 'Precondition failed',
  413: 'Too large',
  415: 'Unsupported media type',
  416: 'Range not satisfiable',
  422: 'Refused by the workflow',
  428: 'Precondition required',
  429: 'Too many requests',
  500: 'Internal error (a defect; never an answer to input)',
  503: 'Service unavailable: the database is not reachable (Retry-After)',
};

function problemSchemas(): Record<string, unknown> {
  const out: Record<string, unknown> = {
    ProblemCode: { type: 'string', enum: PROBLEM_CODES, description: 'Stable machine-readable error code' },
    Problem: {
      type: 'object',
      description: 'RFC 9457 problem details (application/problem+json)',
      required: ['type', 'title', 'status', 'detail', 'code'],
      properties: {
        type: { type: 'string', format: 'uri' },
        title: { type: 'string' },
        status: { type: 'integer' },
        detail: { type: 'string' },
        code: ref('ProblemCode'),
        instance: { type: 'string' },
        requestId: { type: 'string', description: 'Also the X-Request-Id header' },
        errors: {
          type: 'array',
          items: {
            type: 'object',
            required: ['field', 'message'],
            properties: {
              in: { type: 'string' },
              field: { type: 'string' },
              code: { type: 'string' },
              message: { type: 'string' },
              unknownFields: { type: 'array', items: { type: 'string' } },
            },
          },
        },
      },
    },
  };
  for (const [name, v] of Object.entries(PROBLEM_VARIANTS)) {
    out[name] = {
      description: v.description,
      allOf: [ref('Problem')],
      properties: { code: v.codes.length === 1 ? { const: v.codes[0] } : { enum: v.codes }, ...v.properties },
      required: v.required,
      unevaluatedProperties: false,
    };
  }
  const withVariant = new Set(Object.values(PROBLEM_VARIANTS).flatMap((v) => v.codes));
  for (const status of [...new Set(Object.values(ERROR_STATUS))]) {
    const codes = PROBLEM_CODES.filter((c) => ERROR_STATUS[c] === status);
    const variants = Object.entries(PROBLEM_VARIANTS)
      .filter(([, v]) => v.codes.some((c) => codes.includes(c)))
      .map(([n]) => ref(n));
    const plain = codes.filter((c) => !withVariant.has(c));
    const branches = [
      ...variants,
      ...(plain.length ? [{ allOf: [ref('Problem')], properties: { code: { enum: plain } }, unevaluatedProperties: false }] : []),
    ];
    out[`Problem${status}`] = {
      description: `${STATUS_TITLES[status] ?? 'Error'}: ${codes.join(', ')}`,
      ...(branches.length === 1 ? branches[0] : { oneOf: branches }),
    };
  }
  return out;
}

const problemResponse = (status: number) => ({
  description: STATUS_TITLES[status] ?? 'Error',
  content: { 'application/problem+json': { schema: ref(`Problem${status}`) } },
});

const problem = (status: number, description: string) => ApiResponse({ status, description, content: problemResponse(status).content });

// ------------------------------------------------------------------------------------------ decorators

/** Request body described by the same zod schema that validates it. */
export const ApiZodBody = (schema: z.ZodType, description?: string) =>
  applyDecorators(ApiBody({ schema: jsonSchema(schema) as object, description }), problem(400, 'Invalid body'));

/** A JSON response: a `$ref` to the named schema when it is registered with `named`, else the schema inline. */
export const ApiZodResponse = (status: number, schema: z.ZodType, description = 'Success') => {
  const name = contract.get(schema)?.id;
  return ApiResponse({ status, description, schema: (name ? ref(name) : jsonSchema(schema)) as object });
};

/** Query parameters from a zod object schema. */
export function ApiZodQuery(schema: z.ZodObject) {
  const js = jsonSchema(schema) as { properties?: Record<string, object>; required?: string[] };
  return applyDecorators(
    ...Object.entries(js.properties ?? {}).map(([name, s]) =>
      ApiQuery({ name, required: js.required?.includes(name) ?? false, schema: s as object }),
    ),
  );
}

/** The problems a route can answer besides those every route answers (401, 400 …: see `finishOpenApi`). */
export const ApiProblems = (...statuses: number[]) => applyDecorators(...statuses.map((s) => problem(s, STATUS_TITLES[s] ?? 'Error')));

export { ApiExtraModels };

/** The If-Match header of a write: the version the client last saw (the ETag). */
export const ApiIfMatchHeader = ApiHeader({
  name: 'If-Match',
  required: false,
  description: 'The version you last saw (the ETag); a stale one gets 409',
});

/** The Idempotency-Key header of a write. */
export const ApiIdempotencyKeyHeader = ApiHeader({
  name: 'Idempotency-Key',
  required: false,
  description: 'A retry with the same key returns the first response without applying anything twice',
});

/**
 * The body of a workflow's POST …/events: one of its client events ({ "type": …, …payload }), each event type's
 * payload schema with `type` added, discriminated by `type`.
 */
export function eventBodySchema<T extends string>(types: readonly T[], payloads: Record<T, z.ZodType>) {
  return {
    oneOf: types.map((type) => {
      const s = jsonSchema(payloads[type]) as { properties?: Record<string, unknown>; required?: string[] };
      return {
        ...s,
        title: type,
        properties: { type: { const: type }, ...(s.properties ?? {}) },
        required: ['type', ...(s.required ?? [])],
      };
    }),
    discriminator: { propertyName: 'type' },
  };
}

// ------------------------------------------------------------------------------------------ the document

type Json = Record<string, any>;

/** Operations anyone may call (no credentials). */
const PUBLIC_OPERATIONS = new Set(['login', 'healthLive', 'healthReady']);
/** Path parameters that are ids (uuids) wherever they appear. */
const UUID_PARAMS = new Set(['id', 'fileId', 'requestId', 'holdId', 'documentId', 'deliveryId']);
/** Statuses a few operations answer that no rule below gives them. */
const EXTRA_STATUSES: Record<string, number[]> = {
  login: [401, 429],
  downloadDocx: [403],
  grantAccess: [409],
};

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const binary = { type: 'string', contentMediaType: 'application/octet-stream' };
/** Success answers the decorators cannot state (no content, files, streams, answers of routes owned elsewhere). */
const SUCCESS: Record<string, Record<string, Json>> = {
  logout: { 204: { description: 'Logged out: the token or cookie used is revoked' } },
  revokeApiToken: { 204: { description: 'Revoked' } },
  leaveDocument: { 204: { description: 'You are no longer listed as having the document open' } },
  deleteWebhookSubscription: { 204: { description: 'Deleted, with its delivery log' } },
  markNoticeRead: { 204: { description: 'Marked read' } },
  importSectionDocx: {
    200: {
      description: 'The document with the imported text as a new revision',
      content: { 'application/json': { schema: ref('Document') } },
    },
  },
  downloadAttachmentFile: {
    200: { description: 'The file, with the media type it was uploaded with', content: { '*/*': { schema: binary } } },
  },
  downloadArchiveFile: {
    200: {
      description: 'The file; Repr-Digest carries its SHA-256',
      content: {
        [DOCX]: { schema: binary },
        'application/json': { schema: {} },
        'application/pdf': { schema: binary },
        'application/ofd': { schema: binary },
      },
    },
  },
  downloadExport: {
    200: {
      description: 'The export: a BagIt zip or one DOCX volume; Repr-Digest carries its SHA-256',
      content: { 'application/zip': { schema: binary }, [DOCX]: { schema: binary } },
    },
  },
  notificationStream: {
    200: {
      description: 'A server-sent-event stream: `task` events (data: documentId, event, state) and a `ping` every 25 s',
      content: { 'text/event-stream': { schema: { type: 'string' } } },
    },
  },
  healthLive: { 200: { description: 'The process is up', content: { 'application/json': { schema: ref('HealthStatus') } } } },
  healthReady: { 200: { description: 'Ready: the database answers', content: { 'application/json': { schema: ref('HealthStatus') } } } },
};

const HEALTH_SCHEMA = {
  type: 'object',
  required: ['status'],
  properties: {
    status: { type: 'string', enum: ['ok', 'error', 'shutting_down'] },
    info: { type: 'object', additionalProperties: { type: 'object', properties: { status: { type: 'string' } } } },
    error: { type: 'object', additionalProperties: { type: 'object', properties: { status: { type: 'string' } } } },
    details: { type: 'object', additionalProperties: { type: 'object', properties: { status: { type: 'string' } } } },
  },
  additionalProperties: false,
};

/**
 * Completes the generated document into the contract: named schemas, the security schemes (an opaque bearer
 * token or the web session cookie; login and health are public), one uuid format for ids, and on every
 * operation the statuses every route of its kind answers (401 when it needs credentials, 400 when it takes
 * input, 403 on writes (token scope, CSRF), 404 on a path naming a resource, 413/415 with a body), each as the
 * problem schema of that status; every answer carries X-Request-Id.
 */
export function finishOpenApi<T extends object>(document: T): T {
  const doc = document as Json;
  const generated = z.toJSONSchema(contract, {
    target: 'draft-2020-12',
    io: 'output',
    unrepresentable: 'any',
    uri: (id) => `#/components/schemas/${id}`,
  }) as { schemas: Record<string, Json> };
  const schemas: Json = {};
  for (const [name, s] of Object.entries(generated.schemas)) {
    const { $schema: _s, $id: _i, ...rest } = s;
    schemas[name] = rest;
  }
  doc.components = {
    ...doc.components,
    schemas: { ...doc.components?.schemas, ...schemas, HealthStatus: HEALTH_SCHEMA, ...problemSchemas() },
    securitySchemes: {
      bearer: {
        type: 'http',
        scheme: 'bearer',
        description: 'An opaque session token from POST /api/auth/login, or a personal API token (POST /api/auth/tokens)',
      },
      cookie: {
        type: 'apiKey',
        in: 'cookie',
        name: 'gw_session',
        description:
          "The web UI's HttpOnly session cookie (set by login). Writes with it also need the X-CSRF-Token header, a copy of the gw_csrf cookie.",
      },
    },
    headers: {
      'X-Request-Id': {
        description: 'The request id (yours when you sent one), also in problem documents and the logs',
        schema: { type: 'string' },
      },
    },
  };
  doc.security = [{ bearer: [] }, { cookie: [] }];
  for (const [path, item] of Object.entries<Json>(doc.paths)) {
    for (const [method, op] of Object.entries<Json>(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const isPublic = PUBLIC_OPERATIONS.has(op.operationId);
      if (isPublic) op.security = [];
      else delete op.security;
      const write = method !== 'get';
      const pathParams = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      op.parameters = (op.parameters ?? []) as Json[];
      for (const name of pathParams) {
        let p = op.parameters.find((x: Json) => x.in === 'path' && x.name === name);
        if (!p) op.parameters.push((p = { name, in: 'path', required: true }));
        p.schema = UUID_PARAMS.has(name)
          ? { type: 'string', format: 'uuid' }
          : { type: 'string', ...(p.schema?.type === 'string' ? p.schema : {}) };
        delete p.format;
      }
      if (write && !isPublic && !op.parameters.some((x: Json) => x.in === 'header' && x.name === 'X-CSRF-Token')) {
        op.parameters.push({
          name: 'X-CSRF-Token',
          in: 'header',
          required: false,
          schema: { type: 'string' },
          description: 'With the session cookie only: the value of the gw_csrf cookie (double submit)',
        });
      }
      const statuses = new Set<number>(Object.keys(op.responses ?? {}).map(Number));
      if (!isPublic) statuses.add(401);
      if (op.parameters.length || op.requestBody) statuses.add(400);
      if (write && !isPublic) statuses.add(403);
      if (pathParams.length) statuses.add(404);
      if (op.requestBody) {
        statuses.add(413);
        statuses.add(415);
      }
      for (const s of EXTRA_STATUSES[op.operationId] ?? []) statuses.add(s);
      // every route but liveness reads the database: it may be unreachable (503), and a defect answers 500
      if (op.operationId !== 'healthLive') {
        statuses.add(500);
        statuses.add(503);
      }
      op.responses ??= {};
      for (const [status, r] of Object.entries(SUCCESS[op.operationId] ?? {})) op.responses[status] = r;
      for (const s of statuses) if (s >= 400) op.responses[String(s)] = problemResponse(s);
      if (op.responses['503'])
        op.responses['503'].headers = {
          'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer' } },
        };
      for (const r of Object.values<Json>(op.responses)) {
        r.headers = { ...r.headers, 'X-Request-Id': { $ref: '#/components/headers/X-Request-Id' } };
        if (r.content?.['application/json']?.schema?.$ref === ref('Document').$ref) {
          r.headers.ETag = {
            description: 'The document version, quoted (send it back as If-Match)',
            schema: { type: 'string', pattern: '^"[0-9]+"$' },
          };
          if (write)
            r.headers['Idempotent-Replayed'] = {
              description: '"true" when the answer is the replay of an earlier request with the same Idempotency-Key',
              schema: { type: 'string', const: 'true' },
            };
        }
      }
      op.responses = Object.fromEntries(Object.entries(op.responses).sort(([a], [b]) => a.localeCompare(b)));
    }
  }
  return document;
}
