import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiExtraModels, ApiQuery, ApiResponse } from '@nestjs/swagger';
import type { z } from 'zod';
import { jsonSchema } from './zod.js';

export const PROBLEM_SCHEMA = {
  type: 'object',
  description: 'RFC 9457 problem details',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string', format: 'uri' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string', description: 'Stable machine-readable error code' },
    instance: { type: 'string' },
    requestId: { type: 'string' },
    errors: {
      type: 'array',
      items: { type: 'object', properties: { field: { type: 'string' }, code: { type: 'string' }, message: { type: 'string' } } },
    },
  },
};

const problem = (status: number, description: string) =>
  ApiResponse({ status, description, content: { 'application/problem+json': { schema: PROBLEM_SCHEMA } } });

/** Request body described by the same zod schema that validates it. */
export const ApiZodBody = (schema: z.ZodType, description?: string) =>
  applyDecorators(ApiBody({ schema: jsonSchema(schema) as object, description }), problem(400, 'Invalid body'));

export const ApiZodResponse = (status: number, schema: z.ZodType, description = 'Success') =>
  ApiResponse({ status, description, schema: jsonSchema(schema) as object });

/** Query parameters from a zod object schema. */
export function ApiZodQuery(schema: z.ZodObject) {
  const js = jsonSchema(schema) as { properties?: Record<string, object>; required?: string[] };
  return applyDecorators(
    ...Object.entries(js.properties ?? {}).map(([name, s]) =>
      ApiQuery({ name, required: js.required?.includes(name) ?? false, schema: s as object }),
    ),
  );
}

/** The problems every authenticated route can answer. */
export const ApiProblems = (...statuses: number[]) =>
  applyDecorators(
    problem(401, 'Not authenticated'),
    ...statuses.map((s) => problem(s, ({ 403: 'Forbidden', 404: 'Not found', 409: 'Conflict', 410: 'Gone', 413: 'Too large', 415: 'Unsupported media type', 422: 'Gate failed', 428: 'Precondition required' } as Record<number, string>)[s] ?? 'Error')),
  );

export { ApiExtraModels };
