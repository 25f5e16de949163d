import { ArgumentMetadata, PipeTransform } from '@nestjs/common';
import { z } from 'zod';
import { AppError } from './errors.js';

/**
 * Validates a body, query or params object against a zod schema (strict objects reject unknown fields).
 * The same schema describes the request in the OpenAPI document (see `jsonSchema`).
 */
export class ZodPipe<T extends z.ZodType> implements PipeTransform {
  constructor(private readonly schema: T) {}
  transform(value: unknown, meta: ArgumentMetadata): z.infer<T> {
    const bad = findUnstorableString(value);
    if (bad) {
      throw new AppError('VALIDATION_FAILED', `Invalid ${meta.type}: ${bad.field || '(root)'} ${bad.message}`, {
        errors: [{ in: meta.type, field: bad.field, code: 'invalid_string', message: bad.message }],
      });
    }
    const parsed = this.schema.safeParse(value ?? (meta.type === 'body' ? undefined : {}));
    if (!parsed.success) throw validationError(parsed.error, meta.type);
    return parsed.data;
  }
}

export function validationError(error: z.ZodError, where: string = 'body'): AppError {
  const errors = error.issues.map((i) => ({
    in: where,
    field: i.path.map(String).join('.') || (i.code === 'unrecognized_keys' ? '' : '(root)'),
    code: i.code,
    message: i.message,
    ...(i.code === 'unrecognized_keys' ? { unknownFields: (i as { keys: string[] }).keys } : {}),
  }));
  const summary = errors.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message)).join('; ');
  return new AppError('VALIDATION_FAILED', `Invalid ${where}: ${summary}`, { errors });
}

/** JSON Schema (draft 2020-12, as OpenAPI 3.1 uses) for a zod schema. */
const jsonSchemas = new WeakMap<z.ZodType, Record<string, unknown>>();

/** The JSON Schema of a zod schema, computed once per schema (every document response lists them); do not mutate. */
export function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  let s = jsonSchemas.get(schema);
  if (!s) {
    s = z.toJSONSchema(schema, { target: 'draft-2020-12', unrepresentable: 'any', io: 'input' }) as Record<string, unknown>;
    delete s.$schema;
    jsonSchemas.set(schema, s);
  }
  return s;
}

/**
 * Text PostgreSQL cannot store faithfully: NUL characters (refused by jsonb/text) and lone UTF-16
 * surrogates (silently replaced on the way in, which would break content hashes). Refused up front, as is
 * nesting deeper than any request needs. Iterative, so a hostile body cannot overflow the stack.
 */
export function findUnstorableString(value: unknown, maxDepth = 64): { field: string; message: string } | null {
  const stack: { v: unknown; path: string | null; depth: number }[] = [{ v: value, path: null, depth: 0 }];
  while (stack.length) {
    const { v, path, depth } = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return { field: path ?? '', message: 'must not contain NUL characters' };
      if (!v.isWellFormed()) return { field: path ?? '', message: 'must be well-formed Unicode (no lone surrogates)' };
    } else if (v && typeof v === 'object') {
      if (depth >= maxDepth) return { field: path ?? '', message: `is nested deeper than ${maxDepth} levels` };
      for (const [k, child] of Object.entries(v)) {
        if (k.includes('\u0000') || !k.isWellFormed())
          return { field: path ?? '', message: 'has a key with NUL characters or lone surrogates' };
        stack.push({ v: child, path: path === null ? k : `${path}.${k}`, depth: depth + 1 });
      }
    }
  }
  return null;
}
