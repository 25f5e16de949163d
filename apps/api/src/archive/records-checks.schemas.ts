import { z } from 'zod';
import { named } from '../common/openapi.js';

const Outcome = z.enum(['pass', 'fail', 'not_applicable', 'not_run']);
const Counts = z.object({ pass: z.int(), fail: z.int(), not_applicable: z.int(), not_run: z.int() });
const Evidence = z.object({ measured: z.string(), expected: z.string(), found: z.string() });
const Result = z.object({
  check: z.string().describe('e.g. authenticity.fixity'),
  group: z.enum(['authenticity', 'integrity', 'usability', 'security']),
  label: z.string().describe('检测项目'),
  subject: z.string().nullable().describe('The archival number, or null for the whole package'),
  outcome: Outcome,
  evidence: z.array(Evidence),
});

export const StartCheckBody = z
  .strictObject({
    itemId: z.uuid().optional(),
    classCode: z
      .string()
      .regex(/^[0-9A-Z]{4}-WS·\d{4}-(Y|D30|D10)-[A-Z0-9]{1,10}$/, 'a class code, e.g. 0194-WS·2026-D30-BGS')
      .optional(),
    volumeId: z.uuid().optional(),
  })
  .refine((b) => [b.itemId, b.classCode, b.volumeId].filter(Boolean).length === 1, 'name exactly one of itemId, classCode, volumeId');

export const ReceiptQuery = z.strictObject({
  numbering: z.enum(['keep', 'renumber']).default('keep'),
  fondsCode: z
    .string()
    .regex(/^[0-9A-Z]{4}$/)
    .optional(),
  unitCode: z
    .string()
    .regex(/^[A-Z0-9]{1,10}$/)
    .optional(),
  name: z.string().trim().min(1).max(200).optional(),
  /** A volume (卷/盒) of this archive to append the accepted items to (same fonds, year and retention). */
  volumeId: z.uuid().optional(),
});

const RunSummary = {
  id: z.uuid(),
  scope: z.enum(['item', 'class', 'volume', 'export', 'filing', 'package', 'receipt']),
  subject: z.string(),
  outcome: Outcome,
  items: z.int(),
  counts: Counts,
  via: z.string(),
  requestedBy: z.string().nullable(),
  createdAt: z.string(),
};

export const CheckRunsResponse = named('RecordsCheckRuns', z.object({ items: z.array(z.object(RunSummary)) }));

export const CheckRunResponse = named(
  'RecordsCheckRun',
  z.object({
    ...RunSummary,
    report: z.object({
      schema: z.string(),
      package: z.string(),
      startedAt: z.string(),
      finishedAt: z.string(),
      outcome: Outcome,
      items: z.int(),
      counts: Counts,
      checks: z.array(
        z.object({
          id: z.string(),
          group: z.string(),
          groupLabel: z.string(),
          label: z.string(),
          description: z.string(),
          scope: z.string(),
          counts: Counts,
        }),
      ),
      packageResults: z.array(Result),
      itemReports: z.array(z.object({ dir: z.string(), subject: z.string(), outcome: Outcome, results: z.array(Result) })),
    }),
  }),
);

const ReceiptLine = z.object({
  sourceArchivalNumber: z.string(),
  archivalNumber: z.string().optional(),
  title: z.string().optional(),
  reasons: z.array(z.string()).optional(),
});

export const ReceiptResponse = named(
  'TransferReceipt',
  z.object({
    id: z.uuid(),
    status: z.enum(['accepted', 'refused']),
    numbering: z.enum(['keep', 'renumber']),
    packageName: z.string(),
    packageSha256: z.string(),
    sourceOrganization: z.string(),
    checkRunId: z.uuid(),
    checkOutcome: Outcome,
    accepted: z.array(ReceiptLine),
    refused: z.array(ReceiptLine),
    receivedBy: z.string(),
    receivedAt: z.string(),
  }),
);

export const ReceiptsResponse = named('TransferReceipts', z.object({ items: z.array(ReceiptResponse) }));
