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
