/**
 * The units an incoming item is handled in: the receiving unit a user works in, the departments (科室) named for
 * handling, their names; and the field error these checks (and the item's other checks) answer with.
 */
import type { DataSource, EntityManager } from 'typeorm';
import type { AuthUser } from '../auth/auth.types.js';
import { AppError } from '../common/errors.js';

/** The receiving unit a user works in: their own unit, or for a department (科室) the unit it belongs to. */
export async function homeUnit(db: DataSource | EntityManager, user: AuthUser): Promise<string | null> {
  if (!user.unitId) return null;
  const [u]: { id: string; kind: string; parent_id: string | null }[] = await db.query(
    `SELECT id, kind, parent_id FROM units WHERE id = $1`,
    [user.unitId],
  );
  if (!u) return null;
  return u.kind === 'section' && u.parent_id && user.roles.includes('handler') ? u.parent_id : u.id;
}

/** Units a user names (a department's name in the register and the views). */
export async function unitNames(db: DataSource | EntityManager, ids: string[]): Promise<Record<string, string>> {
  if (!ids.length) return {};
  const rows: { id: string; name: string }[] = await db.query(`SELECT id, name FROM units WHERE id = ANY($1::uuid[])`, [ids]);
  return Object.fromEntries(rows.map((r) => [r.id, r.name]));
}

/** A 422 naming the field at fault, as the zod checks answer. */
export function fieldError(field: string, message: string): AppError {
  return new AppError('VALIDATION_FAILED', `${field}: ${message}.`, { errors: [{ field, message }] });
}

/** Departments named for handling must be departments (科室) of the receiving unit. */
export async function assertDepartments(m: EntityManager, unitId: string, ids: string[]): Promise<void> {
  const rows: { id: string }[] = await m.query(`SELECT id FROM units WHERE id = ANY($1::uuid[]) AND parent_id = $2 AND kind = 'section'`, [
    ids,
    unitId,
  ]);
  const bad = ids.find((id) => !rows.some((r) => r.id === id));
  if (bad) throw fieldError('departmentId', `${bad} is not a department of the receiving unit`);
}
