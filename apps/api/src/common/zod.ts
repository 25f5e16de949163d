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
export function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const s = z.toJSONSchema(schema, { target: 'draft-2020-12', unrepresentable: 'any', io: 'input' }) as Record<string, unknown>;
  delete s.$schema;
  return s;
}

/**
 * Text PostgreSQL cannot store faithfully: NUL characters (refused by jsonb/text) and lone UTF-16
 * surrogates (silently replaced on the way in, which would break content hashes). Refused up front.
 */
export function findUnstorableString(value: unknown, path: string[] = []): { field: string; message: string } | null {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) return { field: path.join('.'), message: 'must not contain NUL characters' };
    if (!value.isWellFormed()) return { field: path.join('.'), message: 'must be well-formed Unicode (no lone surrogates)' };
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const keyBad = findUnstorableString(k, path);
      if (keyBad) return keyBad;
      const r = findUnstorableString(v, [...path, k]);
      if (r) return r;
    }
  }
  return null;
}
