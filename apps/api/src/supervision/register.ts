/**
 * The supervision register (督查事项登记簿) rows and the colour cards: written in the transaction of the creation
 * or transition they follow, so that the board, the register and the card sweep read one indexed table and are
 * never ahead of or behind the items.
 */
import type { EntityManager } from 'typeorm';
import { dateIn } from '#gongwen/calendar';
import { timeZoneOf, type SupervisionContext, type SupervisionState } from '#gongwen/workflows/supervision';
import { insertOutbox } from '../engine/repositories/outbox.js';

export async function insertRegisterRow(
  m: EntityManager,
  documentId: string,
  ctx: SupervisionContext,
  state: SupervisionState,
  at: string,
) {
  await m.query(
    `INSERT INTO supervision_register (document_id, year, serial, item_number, title, source_kind, source_document_id,
       instructing_leader_id, responsible_leader_id, supervisor_id, handler_id, lead_unit_id, assisting_unit_ids,
       instruction_text, requirements, cadence, result_form, deadline, state, registered_at, updated_at)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$20)`,
    [
      documentId,
      ctx.year,
      ctx.serial,
      ctx.itemNumber,
      ctx.title,
      ctx.source.kind,
      ctx.source.documentId ?? null,
      ctx.instructingLeaderId,
      ctx.responsibleLeaderId,
      ctx.supervisorId,
      ctx.handlerId ?? null,
      ctx.leadUnitId,
      ctx.assistingUnitIds,
      ctx.instructionText,
      ctx.requirements,
      ctx.cadence,
      ctx.resultForm,
      ctx.deadline,
      state,
      at,
    ],
  );
}

/** The register row after a transition: state, colour (and its round), deadline, feedback, closure. */
export async function updateRegisterRow(
  m: EntityManager,
  documentId: string,
  ctx: SupervisionContext,
  state: SupervisionState,
  at: string,
) {
  const lastFeedback = ctx.feedback.filter((f) => f.kind === 'feedback').map((f) => f.at);
  const closed = (state === 'closed' || state === 'archived') && ctx.closure ? ctx.closure : null;
  const onTime = closed ? dateIn(closed.at, timeZoneOf(ctx)) <= ctx.deadline : null;
  await m.query(
    `UPDATE supervision_register SET state = $2, colour = $3, colour_round = $4, deadline = $5, assigned_at = $6,
       last_feedback_at = $7, red_since = $8, closed_at = $9, on_time = $10, updated_at = $11
     WHERE document_id = $1`,
    [
      documentId,
      state,
      ctx.colour,
      ctx.colourResets.length,
      ctx.deadline,
      ctx.assignment?.at ?? null,
      lastFeedback.length ? lastFeedback[lastFeedback.length - 1] : null,
      ctx.redSince ?? null,
      closed?.at ?? null,
      onTime,
      at,
    ],
  );
}

/** Staff of a unit who receive its notices: the pools `handler@unit` and `registrar@unit`. */
function unitPools(unitId: string): string[] {
  return [`handler@${unitId}`, `registrar@${unitId}`];
}

/**
 * The cards a transition added (a deadline card, or yellow on a send-back): each one recorded once (its key is
 * item, colour and round: a second one fails the transaction) and a reminder notice (督查催办通知) through the
 * outbox to the lead unit, and from yellow on to the responsible leader too.
 */
export async function recordNewCards(m: EntityManager, documentId: string, before: SupervisionContext, after: SupervisionContext) {
  const round = after.colourResets.length;
  for (const card of after.cards.slice(before.cards.length)) {
    const users = card.colour === 'blue' ? [] : [after.responsibleLeaderId];
    await m.query(
      `INSERT INTO supervision_cards (document_id, colour, round, reason, issued_at, notified_unit_id, notified_user_ids)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [documentId, card.colour, round, card.reason, card.at, after.leadUnitId, users],
    );
    await insertOutbox(m, documentId, 'supervision.card', {
      workflow: 'supervision',
      event: 'ISSUE_CARD',
      colour: card.colour,
      itemNumber: after.itemNumber,
      assigneeIds: users,
      taskRoles: unitPools(after.leadUnitId),
    });
  }
}
