/**
 * Creating an incoming item (收文) inside a caller's transaction: the exchange delivers one per recipient unit in
 * the outgoing document's REGISTER transaction; an external registration (POST /api/incoming) in its own.
 */
import type { EntityManager } from 'typeorm';
import { contentHash } from '#gongwen/document/canonical';
import { classificationRank } from '#gongwen/document/model';
import { validateIncomingInput, type IncomingInput } from '#gongwen/workflows/incoming';
import type { AuthUser } from '../../auth/auth.types.js';
import { AppError } from '../../common/errors.js';
import { SYSTEM_USER } from '../../documents/reminders.service.js';
import type { TransitionEngine } from '../../engine/transition-engine.js';
import type { IncomingContent } from '../content.js';
import { incomingWorkflow } from '../incoming.workflow.js';

export type { IncomingContent } from '../content.js';

export interface IncomingItemSpec {
  /** The receiving unit (its registrar, chief and leaders run the item). */
  unitId: string;
  source:
    | { kind: 'exchange'; outgoingDocumentId: string; senderUnitId: string; deliveryId: string }
    | { kind: 'external'; medium: 'paper' | 'electronic' };
  content: IncomingContent;
  /** Classified copies (份号) delivered to this unit; their count is the item's number of copies. */
  copies?: { number: string }[];
}

/**
 * Writes a new incoming item (row, first revision, CREATE event, outbox) in `m`'s transaction and returns its id.
 * Exchange items start in `receipt` (待签收) and are created by the system account, so that the sender's clerk
 * who registered the outgoing document gets no part in the recipient's item (who delivered stays in the
 * CREATE event's input as `deliveredBy`); external items start in `registration` (the upload is the receipt)
 * and are created by the registrar who uploaded them.
 */
export async function createIncomingIn(
  m: EntityManager,
  engine: TransitionEngine,
  user: AuthUser,
  spec: IncomingItemSpec,
  id: string = crypto.randomUUID(),
): Promise<{ id: string }> {
  const content: IncomingContent = {
    ...spec.content,
    ...(spec.copies?.length ? { copies: spec.copies.length, copyNumbers: spec.copies.map((c) => c.number) } : {}),
  };
  const creator = spec.source.kind === 'exchange' ? SYSTEM_USER : user;
  const input: IncomingInput = {
    documentId: id,
    unitId: spec.unitId,
    source: spec.source,
    senderName: content.senderName,
    classification: content.classification,
    urgency: content.urgency,
    ...(content.dueDate ? { deadline: content.dueDate } : {}),
    copies: content.copies,
    ...(spec.source.kind === 'external' ? { creatorId: user.id } : {}),
  };
  const problems = validateIncomingInput(input);
  if (problems.length)
    throw new AppError('VALIDATION_FAILED', `The incoming item is not valid: ${problems.join('; ')}.`, {
      errors: problems.map((message) => ({ field: 'metadata', message })),
    });
  if (classificationRank(content.classification) < 0) throw new AppError('VALIDATION_FAILED', 'Unknown classification.');
  await engine.createIn(m, creator, {
    id,
    workflow: incomingWorkflow,
    input: spec.source.kind === 'exchange' ? { ...input, deliveredBy: user.id } : input,
    snapshot: incomingWorkflow.create(input),
    content,
    hash: contentHash(content),
    kind: content.kind,
    classification: content.classification,
    major: false,
    issuerUnitIds: [],
    deadline: content.dueDate ? `${content.dueDate}T23:59:59+08:00` : null,
  });
  return { id };
}
