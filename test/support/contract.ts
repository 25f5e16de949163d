/**
 * The response checker every HTTP test uses (through TestApp.request, the attack helpers' send and the document
 * client): each answer is checked against the running application's own OpenAPI document. The operation is
 * found by method and path template; the status must be documented for it, the content type must be one it
 * documents for that status, and a JSON body must match the documented schema (ajv, JSON Schema 2020-12, as
 * OpenAPI 3.1 uses). Non-JSON answers (DOCX, zip, CSV, event streams) are checked for status and content type.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS with a default export
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv2020) => Ajv2020;

type Json = Record<string, any>;

export interface ContractOperation {
  method: string;
  path: string;
  operationId: string;
  op: Json;
  regex: RegExp;
  /** Literal characters of the template: the most literal template wins (/documents/import over /documents/{id}). */
  literal: number;
}

export interface Checked {
  operation?: ContractOperation;
  /** Why the answer breaks the contract; empty when it keeps it. */
  violations: string[];
}

/** Paths outside the API document (the document itself, its UI, metrics, the web UI's files). */
const UNDOCUMENTED_PATHS = /^\/(api\/docs|api\/openapi\.(json|yaml)|metrics)(\/|$|\?)|^\/(?!api\/|api$|health\/)/;

export class ContractChecker {
  private readonly ajv: Ajv2020;
  private readonly operations: ContractOperation[] = [];
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly bySchema = new WeakMap<Json, ValidateFunction>();

  constructor(readonly document: Json) {
    this.ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
    addFormats(this.ajv);
    this.ajv.addSchema({ $id: 'openapi.json', components: document.components ?? {} } as object);
    for (const [path, item] of Object.entries<Json>(document.paths ?? {})) {
      for (const [method, op] of Object.entries<Json>(item)) {
        if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
        const regex = new RegExp(
          `^${path
            .split(/(\{[^}]+\})/)
            .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^$()|[\]\\]/g, '\\$&')))
            .join('')}$`,
        );
        this.operations.push({
          method: method.toUpperCase(),
          path,
          operationId: op.operationId,
          op,
          regex,
          literal: path.replace(/\{[^}]+\}/g, '').length,
        });
      }
    }
    this.operations.sort((a, b) => b.literal - a.literal);
  }

  /** The operation a request is for (by method and path template), if the document has one. */
  find(method: string, url: string): ContractOperation | undefined {
    const path = url.split('?')[0].split('#')[0];
    return this.operations.find((o) => o.method === method.toUpperCase() && o.regex.test(path));
  }

  /** Checks one answer. `body` is the parsed JSON body (undefined when the answer has none or is not JSON). */
  check(method: string, url: string, status: number, contentType: string | null, body: unknown, headers?: Headers): Checked {
    const path = url.split('?')[0];
    if (UNDOCUMENTED_PATHS.test(path) || method.toUpperCase() === 'OPTIONS') return { violations: [] };
    // HEAD is answered by the GET route, without a body
    if (method.toUpperCase() === 'HEAD') return this.check('GET', url, status, contentType, undefined, headers);
    const operation = this.find(method, url);
    if (!operation) {
      // no such operation: refused before routing (bad escape, too large) or by it, as a problem document
      const ok = [400, 404, 405, 413, 415].includes(status) && /^application\/problem\+json/.test(contentType ?? '');
      return {
        violations: ok
          ? []
          : [
              `${method} ${path} is in no operation of the OpenAPI document, and answered ${status} ${contentType ?? ''} (expected a 400, 404, 405, 413 or 415 problem document)`,
            ],
      };
    }
    const what = `${operation.operationId} (${operation.method} ${operation.path}) answered ${status}`;
    const responses: Json = operation.op.responses ?? {};
    const response: Json | undefined = responses[String(status)] ?? responses[`${String(status)[0]}XX`] ?? responses.default;
    if (!response)
      return { operation, violations: [`${what}, which it does not document (documented: ${Object.keys(responses).join(', ')})`] };
    const violations: string[] = [];
    if (headers && response.headers?.['X-Request-Id'] && !headers.get('x-request-id'))
      violations.push(`${what} without the documented X-Request-Id header`);
    const content: Json = response.content ?? {};
    const types = Object.keys(content);
    const base = (contentType ?? '').split(';')[0].trim().toLowerCase();
    if (!types.length) {
      if (base && status !== 204 && body !== undefined && body !== '')
        violations.push(`${what} with a ${base} body, but documents no content`);
      return { operation, violations };
    }
    const mediaType =
      types.find((t) => t === base) ??
      types.find((t) => t.endsWith('/*') && base.startsWith(t.slice(0, -1))) ??
      types.find((t) => t === '*/*');
    if (!mediaType)
      return { operation, violations: [...violations, `${what} as ${base || 'no content type'}, but documents ${types.join(', ')}`] };
    const schema = content[mediaType].schema;
    if (schema && /json/.test(mediaType)) {
      const validate = this.validator(schema);
      if (!validate(body)) {
        const errors = (validate.errors ?? [])
          .slice(0, 8)
          .map(
            (e) =>
              `  ${e.instancePath || '(root)'} ${e.message}${e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ''}`,
          );
        violations.push(
          `${what} with a body that does not match its schema:\n${errors.join('\n')}\n  body: ${JSON.stringify(body)?.slice(0, 600)}`,
        );
      }
    }
    if (/problem\+json/.test(mediaType) && (body as { status?: unknown } | undefined)?.status !== status) {
      violations.push(
        `${what} with a problem document whose status is ${JSON.stringify((body as { status?: unknown } | undefined)?.status)}`,
      );
    }
    return { operation, violations };
  }

  /**
   * The compiled validator of a response schema. Compiled once per distinct schema, not per operation and status:
   * most answers share a few schemas (every problem document is the same $ref), and ajv compiles each one anew.
   */
  private validator(schema: Json): ValidateFunction {
    // by the schema object first (the document's own, the same on every answer), so an answer costs no serialisation
    let v = this.bySchema.get(schema);
    if (v) return v;
    const key = JSON.stringify(schema);
    v = this.validators.get(key);
    if (!v) {
      // local $refs (#/components/…) resolve against the document's components
      v = this.ajv.compile(JSON.parse(key.replaceAll('"#/components/', '"openapi.json#/components/')));
      this.validators.set(key, v);
    }
    this.bySchema.set(schema, v);
    return v;
  }
}

export class ContractViolation extends Error {
  override name = 'ContractViolation';
}

/**
 * Checks a fetch Response and returns one the caller can read: the same Response when its body was not needed
 * (binary files, event streams, empty answers), otherwise a new one built from the bytes read here (same status,
 * status text and headers), so that a body is read from the socket once, without a tee. Throws a ContractViolation
 * naming the request and what broke.
 */
export async function assertResponseKeepsContract(checker: ContractChecker, method: string, url: string, res: Response): Promise<Response> {
  const type = res.headers.get('content-type');
  const readsBody = res.status !== 204 && (type ? /json/.test(type) : !!res.body);
  if (!readsBody) {
    assertKeeps(checker, method, url, res.status, type, undefined, res.headers);
    return res;
  }
  const bytes = new Uint8Array(await res.arrayBuffer());
  const text = new TextDecoder().decode(bytes);
  let body: unknown;
  if (type) {
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      throw new ContractViolation(`${method} ${url} → ${res.status}: the ${type} body is not JSON: ${text.slice(0, 200)}`);
    }
  } else body = text === '' ? undefined : text;
  assertKeeps(checker, method, url, res.status, type, body, res.headers);
  // a null-body status (304 …) cannot be constructed with a body, even an empty one
  return new Response(bytes.length ? bytes : null, { status: res.status, statusText: res.statusText, headers: res.headers });
}

export function assertKeeps(
  checker: ContractChecker,
  method: string,
  url: string,
  status: number,
  type: string | null,
  body: unknown,
  headers?: Headers,
): void {
  const { violations } = checker.check(method, url, status, type, body, headers);
  if (violations.length) throw new ContractViolation(`the answer breaks the OpenAPI contract: ${violations.join('\n')}`);
}
