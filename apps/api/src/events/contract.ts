/** The events feed's request and response, as named OpenAPI schemas. */
import { z } from 'zod';
import { named } from '../common/openapi.js';
import { EVENT_TYPES } from './vocabulary.js';

export const EventType = named('EventType', z.enum(EVENT_TYPES));

export const DocumentEvent = named(
  'DocumentEvent',
  z.object({
    id: z.string().describe('Stable across reads: `<documentId>:<version>:<type>`'),
    type: EventType,
    timestamp: z.string().describe('When the transition happened (ISO 8601)'),
    data: z.object({
      documentId: z.string().uuid(),
      workflow: z.string().describe('outgoing (发文), incoming (收文) or supervision (督查)'),
      event: z.string().describe('The workflow event accepted, e.g. SIGN'),
      fromState: z.string().nullable(),
      toState: z.string(),
      version: z.number().int().describe("The document's version after the event"),
      actorId: z.string().uuid(),
      classification: z.string(),
      reason: z.string().optional().describe('A return’s reason; unclassified documents only'),
    }),
  }),
);

export const EventFeed = named(
  'EventFeed',
  z.object({
    items: z.array(DocumentEvent),
    cursor: z.string().describe('Pass as `after` to read on from here (also when `items` is empty)'),
  }),
);

export const EventsQuery = z.strictObject({
  /** A cursor from an earlier answer, `now` (only what happens from now on), or absent (from the beginning). */
  after: z
    .string()
    .max(100)
    .optional()
    .describe('A cursor from an earlier answer; `now` for only what happens from now on; absent for the whole visible history'),
  /** Long polling: with nothing new, wait up to this many seconds for something visible to happen. */
  wait: z.coerce.number().int().min(0).max(30).default(0).describe('With nothing new, wait up to this many seconds (long polling)'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type EventsQuery = z.infer<typeof EventsQuery>;
