/**
 * Recipients as units (主送/抄送 naming units and groups of the directory): checked against the directory and
 * given the directory's names, so the printed lists (mainRecipients, copiesTo) follow from them.
 */
import type { EntityManager } from 'typeorm';
import { printedRecipients, type Addressee } from '#gongwen/document/model';
import { AppError } from '../common/errors.js';
import type { AddresseeInput } from '../documents/schemas.js';

/**
 * Units that can receive documents: the organs at the top of the directory (issuing bodies and receiving units),
 * not their departments or leadership groups, which receive through their unit.
 */
const RECEIVING_UNIT = `parent_id IS NULL`;

/**
 * The addressees with the directory's names; an unknown (or non-receiving) unit or group is UNKNOWN_RECIPIENT
 * naming every such entry. A unit or group named twice in one role is kept once.
 */
export async function resolveAddressees(m: EntityManager, input: readonly AddresseeInput[], field = 'addressees'): Promise<Addressee[]> {
  const unitIds = [...new Set(input.flatMap((a) => (a.unitId ? [a.unitId] : [])))];
  const groupIds = [...new Set(input.flatMap((a) => (a.groupId ? [a.groupId] : [])))];
  const units: { id: string; name: string }[] = unitIds.length
    ? await m.query(`SELECT id, name FROM units WHERE id = ANY($1::uuid[]) AND ${RECEIVING_UNIT}`, [unitIds])
    : [];
  const groups: { id: string; name: string }[] = groupIds.length
    ? await m.query(`SELECT id, name FROM unit_groups WHERE id = ANY($1::uuid[])`, [groupIds])
    : [];
  const errors: { field: string; message: string }[] = [];
  const out: Addressee[] = [];
  const seen = new Set<string>();
  input.forEach((a, i) => {
    let entry: Addressee;
    if (a.unitId) {
      const u = units.find((x) => x.id === a.unitId);
      if (!u) return errors.push({ field: `${field}.${i}.unitId`, message: 'no such receiving unit in the directory' });
      entry = { role: a.role, unitId: u.id, name: u.name };
    } else if (a.groupId) {
      const g = groups.find((x) => x.id === a.groupId);
      if (!g) return errors.push({ field: `${field}.${i}.groupId`, message: 'no such group of units in the directory' });
      entry = { role: a.role, groupId: g.id, name: g.name };
    } else {
      entry = { role: a.role, name: a.name! };
    }
    const key = `${entry.role}:${entry.unitId ?? entry.groupId ?? `text:${entry.name}`}`;
    if (!seen.has(key)) out.push(entry);
    seen.add(key);
  });
  if (errors.length)
    throw new AppError('UNKNOWN_RECIPIENT', `${errors.length} recipient(s) are not units or groups of the directory.`, { errors });
  return out;
}

/**
 * The recipients part of a content from what the client sent: with addressees, the printed lists are theirs (a
 * client that sends the lists too must send the same); without, the printed lists as sent.
 */
export async function recipientsOf(
  m: EntityManager,
  sent: { addressees?: AddresseeInput[]; mainRecipients?: string[]; copiesTo?: string[] },
  prefix = '',
): Promise<{ addressees?: Addressee[]; mainRecipients?: string[]; copiesTo?: string[] }> {
  if (!sent.addressees) return { mainRecipients: sent.mainRecipients, copiesTo: sent.copiesTo };
  const addressees = await resolveAddressees(m, sent.addressees, `${prefix}addressees`);
  const printed = printedRecipients(addressees);
  const errors: { field: string; message: string }[] = [];
  for (const f of ['mainRecipients', 'copiesTo'] as const) {
    const given = sent[f];
    if (given?.length && (given.length !== printed[f].length || given.some((x, i) => x !== printed[f][i])))
      errors.push({ field: `${prefix}${f}`, message: `follows from addressees (${printed[f].join('、') || 'none'}); omit it` });
  }
  if (errors.length) throw new AppError('VALIDATION_FAILED', 'The printed recipients disagree with the addressees.', { errors });
  return { addressees, ...printed };
}
