/** POST /documents: a chief (科长) opens an outgoing document. */
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { canonicalJson, contentHash, sha256Hex } from '#gongwen/document/canonical';
import { CLASSIFICATION_LEVELS, missingElements, type DocumentContent, type IssuerRef, type Section } from '#gongwen/document/model';
import { createOutgoingSnapshot, validateOutgoingInput } from '#gongwen/workflows/outgoing';
import type { OutgoingInput } from '#gongwen/workflows/outgoing/types';
import type { AuthUser } from '../../auth/auth.types.js';
import { AppError } from '../../common/errors.js';
import { validationError } from '../../common/zod.js';
import { replayIdempotent } from '../../engine/idempotency.js';
import type { WriteResult } from '../../engine/types.js';
import type { DocumentsDeps } from '../deps.js';
import { outgoingWorkflow } from '../outgoing.workflow.js';
import { selectActiveUsers, selectUnits } from '../repositories.js';
import { recipientsOf } from '../../exchange/addressees.js';
import type { CreateDocumentInput } from '../schemas.js';

type Problem = { path: (string | number)[]; code: string; message: string };
const invalid = (issues: Problem[]) => validationError({ issues } as unknown as z.ZodError);

export async function createDocument(
  deps: DocumentsDeps,
  user: AuthUser,
  input: CreateDocumentInput,
  idempotencyKey?: string,
  /** replyTo: the incoming item this document answers; its caller (incoming) has checked that the user may start it. */
  opts: { replyTo?: string } = {},
): Promise<WriteResult> {
  if (!user.roles.includes('chief') && !opts.replyTo) throw new AppError('FORBIDDEN_ROLE', 'Only a section chief (科长) opens a document.');
  const requestHash = sha256Hex(canonicalJson({ op: 'create', input, ...(opts.replyTo ? { replyTo: opts.replyTo } : {}) }));
  const replay = await replayIdempotent(deps.db.manager, user, idempotencyKey, requestHash);
  if (replay) return replay;

  const units = await selectUnits(deps.db.manager, input.issuerUnitIds);
  const issuers: IssuerRef[] = input.issuerUnitIds.map((uid, i) => {
    const u = units.find((x) => x.id === uid);
    if (!u || u.kind !== 'issuer') throw invalid([{ path: ['issuerUnitIds', i], code: 'custom', message: 'not an issuing body' }]);
    return { unitId: u.id, name: u.name, code: u.code };
  });
  const userIds = [...new Set([...input.sections.map((s) => s.drafterId), ...input.signers.map((s) => s.signerId)])];
  const users = await selectActiveUsers(deps.db.manager, userIds);
  const problems: Problem[] = [];
  const needed = CLASSIFICATION_LEVELS.indexOf(input.classification);
  const cleared = (uid: string) => CLASSIFICATION_LEVELS.indexOf((users.find((u) => u.id === uid)?.clearance ?? 'none') as never) >= needed;
  if (CLASSIFICATION_LEVELS.indexOf(user.clearance) < needed)
    problems.push({ path: ['classification'], code: 'custom', message: 'above your own clearance' });
  input.sections.forEach((s, i) => {
    if (!cleared(s.drafterId))
      problems.push({ path: ['sections', i, 'drafterId'], code: 'custom', message: 'not cleared for this classification' });
  });
  input.signers.forEach((s, i) => {
    if (!cleared(s.signerId))
      problems.push({ path: ['signers', i, 'signerId'], code: 'custom', message: 'not cleared for this classification' });
  });
  input.sections.forEach((s, i) => {
    if (!users.find((u) => u.id === s.drafterId)?.roles.includes('secretary'))
      problems.push({ path: ['sections', i, 'drafterId'], code: 'custom', message: 'not an active secretary' });
  });
  input.signers.forEach((s, i) => {
    if (!users.find((u) => u.id === s.signerId)?.roles.includes('signer'))
      problems.push({ path: ['signers', i, 'signerId'], code: 'custom', message: 'not an active signer' });
    if (!input.issuerUnitIds.includes(s.issuerUnitId))
      problems.push({ path: ['signers', i, 'issuerUnitId'], code: 'custom', message: 'not one of the issuing bodies' });
  });
  for (const uid of input.issuerUnitIds) {
    if (!input.signers.some((s) => s.issuerUnitId === uid))
      problems.push({ path: ['signers'], code: 'custom', message: `no signer for issuing body ${uid}` });
  }
  if (problems.length) throw invalid(problems);

  const documentId = randomUUID();
  const sections: Section[] = input.sections.map((s, i) => ({
    id: s.id ?? `s${i + 1}`,
    title: s.title,
    drafterId: s.drafterId,
    blocks: s.blocks,
  }));
  if (new Set(sections.map((s) => s.id)).size !== sections.length)
    throw invalid([{ path: ['sections'], code: 'custom', message: 'section ids must be unique' }]);
  // recipients named as units or groups take the directory's names (unknown ones: UNKNOWN_RECIPIENT)
  const recipients = await recipientsOf(deps.db.manager, input);
  const content: DocumentContent = {
    kind: input.kind,
    title: input.title,
    issuers,
    mainRecipients: recipients.mainRecipients ?? [],
    copiesTo: recipients.copiesTo ?? [],
    ...(recipients.addressees ? { addressees: recipients.addressees } : {}),
    classification: input.classification,
    secrecyPeriod: input.secrecyPeriod,
    urgency: input.urgency,
    note: input.note,
    attachments: input.attachments,
    sections,
    minutes: input.minutes,
  };
  const hash = contentHash(content);
  const workflowInput: OutgoingInput = {
    documentId,
    kind: input.kind,
    classification: input.classification,
    issuerUnitIds: input.issuerUnitIds,
    major: input.major,
    chiefId: user.id,
    sections: sections.map((s) => ({ id: s.id, title: s.title, drafterId: s.drafterId })),
    revision: { number: 1, hash },
    missingElements: missingElements(content),
    requiredSigners: input.issuerUnitIds.map((uid) => ({
      issuerUnitId: uid,
      signerId: input.signers.find((s) => s.issuerUnitId === uid)!.signerId,
    })),
    creatorId: user.id,
    ...(opts.replyTo ? { replyTo: opts.replyTo } : {}),
  };
  const inputProblems = validateOutgoingInput(workflowInput);
  if (inputProblems.length)
    throw new AppError('VALIDATION_FAILED', inputProblems.join(' '), {
      errors: inputProblems.map((message) => ({ field: '(root)', message })),
    });
  const snapshot = createOutgoingSnapshot(workflowInput);

  return deps.engine.create(
    user,
    {
      id: documentId,
      workflow: outgoingWorkflow,
      input: workflowInput,
      snapshot,
      content,
      hash,
      kind: content.kind,
      classification: content.classification,
      major: input.major,
      issuerUnitIds: input.issuerUnitIds,
      deadline: input.deadline ?? null,
    },
    idempotencyKey,
    requestHash,
  );
}
