import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import argon2 from 'argon2';
import { DataSource, EntityManager, Not } from 'typeorm';
import { SYSTEM_USER_ID, UnitEntity, UserEntity, type UnitKind } from '#gongwen/persistence';
import type { AuthorityScope, Role } from '#gongwen/workflows/outgoing/types';
import { classificationRank, type ClassificationLevel } from '#gongwen/document/model';
import { canonicalJson } from '#gongwen/document/canonical';
import { sortZh } from '#gongwen/document';
import type { AuthUser } from '../auth/auth.types.js';
import { AppError } from '../common/errors.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { adminAuditView, appendAdminAudit, verifyAdminAudit } from './admin.audit.js';

export interface NewUser {
  username: string;
  displayName: string;
  password: string;
  unitId: string | null;
  roles: Role[];
  clearance: ClassificationLevel;
  authority: AuthorityScope | null;
}
export type UserPatch = Partial<Omit<NewUser, 'username'>> & { active?: boolean };

/** The privileges of a user: what a grant changes. */
interface Privileges {
  roles: Role[];
  clearance: ClassificationLevel;
  authority: AuthorityScope | null;
  active: boolean;
}
type PrivilegeChange = Partial<Privileges>;

const view = (u: UserEntity) => ({
  id: u.id,
  username: u.username,
  displayName: u.displayName,
  unitId: u.unitId,
  roles: u.roles,
  clearance: u.clearance,
  authority: u.authority,
  active: u.active,
});
const unitView = (u: UnitEntity) => ({ id: u.id, name: u.name, code: u.code, kind: u.kind, parentId: u.parentId, fondsCode: u.fondsCode });
const approvalView = (a: Record<string, any>) => ({
  id: a.id,
  targetUserId: a.target_user_id,
  change: a.change,
  status: a.status,
  requestedBy: a.requested_by,
  requestedAt: new Date(a.requested_at).toISOString(),
  decidedBy: a.decided_by ?? null,
  decidedAt: a.decided_at ? new Date(a.decided_at).toISOString() : null,
});

/** Administrators administer: an administrator holds no other role, so they can never act on documents. */
function assertRoleCombination(roles: Role[]): void {
  if (roles.includes('admin') && roles.length > 1) {
    throw new AppError('VALIDATION_FAILED', 'An administrator (系统管理员) cannot hold any other role.', {
      errors: [{ in: 'body', field: 'roles', message: 'admin cannot be combined with another role' }],
    });
  }
}

/**
 * The part of `change` that raises privileges over `before`: a role not held, a higher clearance, a changed
 * authority scope (signing power), an activation. Empty when the change only lowers or keeps them.
 */
function elevation(before: Privileges, change: PrivilegeChange): PrivilegeChange {
  const out: PrivilegeChange = {};
  if (change.roles && change.roles.some((r) => !before.roles.includes(r))) out.roles = change.roles;
  if (change.clearance && classificationRank(change.clearance) > classificationRank(before.clearance)) out.clearance = change.clearance;
  if (change.authority !== undefined && change.authority !== null && canonicalJson(change.authority) !== canonicalJson(before.authority))
    out.authority = change.authority;
  if (change.active === true && !before.active) out.active = true;
  return out;
}

@Injectable()
export class AdminService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async listUsers() {
    // the built-in system account is not a person to manage
    return (await this.db.getRepository(UserEntity).find({ where: { id: Not(SYSTEM_USER_ID) }, order: { username: 'ASC' } })).map(view);
  }

  /**
   * Creates a user. With two-person approval on, a user given any privilege (a role other than a lone admin's
   * is still a grant, and so is a clearance) is created inactive and waits for a second administrator.
   */
  async createUser(actor: AuthUser, input: NewUser) {
    assertRoleCombination(input.roles);
    const repo = this.db.getRepository(UserEntity);
    if (await repo.existsBy({ username: input.username })) throw new AppError('DUPLICATE', `The username "${input.username}" is taken.`);
    await this.assertUnits([input.unitId, ...(input.authority?.issuerUnitIds ?? [])]);
    const passwordHash = await argon2.hash(input.password);
    return this.db.transaction(async (m) => {
      const needsApproval = this.config.GONGWEN_ADMIN_APPROVAL;
      const user = await m.getRepository(UserEntity).save(
        m.getRepository(UserEntity).create({
          username: input.username,
          displayName: input.displayName,
          passwordHash,
          unitId: input.unitId,
          roles: input.roles,
          clearance: input.clearance,
          authority: input.authority,
          active: !needsApproval,
        }),
      );
      await appendAdminAudit(m, {
        actorId: actor.id,
        action: 'user.create',
        targetUserId: user.id,
        detail: {
          username: user.username,
          roles: input.roles,
          clearance: input.clearance,
          authority: input.authority,
          active: user.active,
        },
      });
      if (!needsApproval) return view(user);
      // the approver sees everything the activation grants, not just `active`
      const approval = await this.requestApproval(m, actor, user.id, {
        roles: input.roles,
        clearance: input.clearance,
        authority: input.authority,
        active: true,
      });
      return { ...view(user), pendingApproval: approval };
    });
  }

  async updateUser(actor: AuthUser, id: string, patch: UserPatch) {
    const repo = this.db.getRepository(UserEntity);
    const user = id === SYSTEM_USER_ID ? null : await repo.findOneBy({ id });
    if (!user) throw new AppError('NOT_FOUND', 'No such user.');
    const privilegeChange: PrivilegeChange = Object.fromEntries(
      (['roles', 'clearance', 'authority', 'active'] as const).filter((k) => patch[k] !== undefined).map((k) => [k, patch[k]]),
    );
    if (actor.id === id && Object.keys(privilegeChange).length) {
      // refused, and the attempt is on record (in a transaction of its own: the refusal writes nothing else)
      await this.db.transaction((m) =>
        appendAdminAudit(m, {
          actorId: actor.id,
          action: 'user.self_change_refused',
          targetUserId: id,
          detail: { change: privilegeChange },
        }),
      );
      throw new AppError('NOT_PERMITTED', 'No one may change their own roles, clearance, authority or status; ask another administrator.');
    }
    if (patch.password && actor.id !== id && this.config.GONGWEN_ADMIN_APPROVAL && user.roles.includes('admin')) {
      // knowing another administrator's password would let one administrator be both persons of the two-person rule
      await this.db.transaction((m) =>
        appendAdminAudit(m, { actorId: actor.id, action: 'user.admin_password_refused', targetUserId: id, detail: {} }),
      );
      throw new AppError(
        'NOT_PERMITTED',
        "With two-person approval on, no administrator sets another administrator's password; they change it themselves.",
      );
    }
    assertRoleCombination(patch.roles ?? user.roles);
    await this.assertUnits([patch.unitId ?? null, ...(patch.authority?.issuerUnitIds ?? [])]);
    const before: Privileges = { roles: user.roles, clearance: user.clearance, authority: user.authority, active: user.active };
    const raised = this.config.GONGWEN_ADMIN_APPROVAL ? elevation(before, privilegeChange) : {};
    const { password, ...rest } = patch;
    // what waits for approval is left out of the change applied now
    const applied = Object.fromEntries(Object.entries(rest).filter(([k, v]) => v !== undefined && !(k in raised)));
    const passwordHash = password ? await argon2.hash(password) : undefined;
    return this.db.transaction(async (m) => {
      Object.assign(user, applied);
      if (passwordHash) user.passwordHash = passwordHash;
      await m.getRepository(UserEntity).save(user);
      if (patch.active === false || password) {
        await m.query(`UPDATE auth_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL`, [id]);
      }
      const appliedPrivileges = Object.fromEntries(Object.entries(applied).filter(([k]) => k in privilegeChange));
      await appendAdminAudit(m, {
        actorId: actor.id,
        action: 'user.update',
        targetUserId: id,
        detail: { before, applied: appliedPrivileges, fields: Object.keys(applied), passwordChanged: !!password },
      });
      if (!Object.keys(raised).length) return view(user);
      return { ...view(user), pendingApproval: await this.requestApproval(m, actor, id, raised) };
    });
  }

  private async requestApproval(m: EntityManager, actor: AuthUser, targetUserId: string, change: PrivilegeChange) {
    const [a] = await m.query(`INSERT INTO admin_approvals (target_user_id, change, requested_by) VALUES ($1, $2, $3) RETURNING *`, [
      targetUserId,
      change,
      actor.id,
    ]);
    await appendAdminAudit(m, { actorId: actor.id, action: 'approval.request', targetUserId, detail: { approvalId: a.id, change } });
    return approvalView(a);
  }

  async listApprovals(status?: 'pending' | 'approved' | 'rejected') {
    const rows = await this.db.query(
      `SELECT * FROM admin_approvals WHERE ($1::text IS NULL OR status = $1) ORDER BY requested_at DESC LIMIT 500`,
      [status ?? null],
    );
    return { items: rows.map(approvalView) };
  }

  /** A second administrator approves (the change is applied) or rejects a pending grant. */
  async decideApproval(actor: AuthUser, id: string, decision: 'approve' | 'reject', opinion = '') {
    return this.db.transaction(async (m) => {
      const [a] = await m.query(`SELECT * FROM admin_approvals WHERE id = $1 FOR UPDATE`, [id]);
      if (!a) throw new AppError('NOT_FOUND', 'No such approval.');
      if (a.status !== 'pending') throw new AppError('CONFLICT', `The approval is already ${a.status}.`);
      if (a.requested_by === actor.id)
        throw new AppError('NOT_PERMITTED', 'A second administrator must decide: you requested this change.');
      if (a.target_user_id === actor.id) throw new AppError('NOT_PERMITTED', 'No one may approve a change of their own privileges.');
      if (decision === 'approve') {
        const repo = m.getRepository(UserEntity);
        const user = await repo.findOneBy({ id: a.target_user_id });
        if (!user) throw new AppError('NOT_FOUND', 'No such user.');
        const change = a.change as PrivilegeChange;
        assertRoleCombination(change.roles ?? user.roles);
        Object.assign(user, change);
        await repo.save(user);
      }
      const status = decision === 'approve' ? 'approved' : 'rejected';
      // TypeORM answers an UPDATE … RETURNING with [rows, count]
      const [[r]] = await m.query(`UPDATE admin_approvals SET status = $2, decided_by = $3, decided_at = now() WHERE id = $1 RETURNING *`, [
        id,
        status,
        actor.id,
      ]);
      await appendAdminAudit(m, {
        actorId: actor.id,
        action: `approval.${decision}`,
        targetUserId: a.target_user_id,
        detail: { approvalId: id, change: a.change, opinion },
      });
      return approvalView(r);
    });
  }

  async auditLog(q: { targetUserId?: string; limit: number }) {
    const rows = await this.db.query(
      `SELECT e.*, a.username AS actor_username, t.username AS target_username FROM admin_audit_events e
         LEFT JOIN users a ON a.id = e.actor_id LEFT JOIN users t ON t.id = e.target_user_id
        WHERE ($1::uuid IS NULL OR e.target_user_id = $1) ORDER BY e.seq DESC LIMIT $2`,
      [q.targetUserId ?? null, q.limit],
    );
    return { items: rows.map(adminAuditView) };
  }

  verifyAuditLog(expected?: { seq: number; hash: string }) {
    return verifyAdminAudit(this.db, expected);
  }

  async listUnits() {
    const units = await this.db.getRepository(UnitEntity).find({ order: { kind: 'ASC' } });
    return sortZh(
      units,
      (u) => u.kind,
      (u) => u.name,
    ).map(unitView);
  }

  async createUnit(input: { name: string; code: string | null; kind: UnitKind; parentId: string | null; fondsCode: string | null }) {
    if (input.kind === 'issuer' && !input.code)
      throw new AppError('VALIDATION_FAILED', 'An issuing body needs a code (e.g. 区委办).', {
        errors: [{ field: 'code', message: 'required for issuers' }],
      });
    const repo = this.db.getRepository(UnitEntity);
    if (input.code && (await repo.existsBy({ code: input.code })))
      throw new AppError('DUPLICATE', `The unit code "${input.code}" is taken.`);
    await this.assertUnits([input.parentId]);
    return unitView(await repo.save(repo.create(input)));
  }

  private async assertUnits(ids: (string | null | undefined)[]) {
    const wanted = [...new Set(ids.filter((x): x is string => !!x))];
    if (!wanted.length) return;
    const found = await this.db.query(`SELECT id FROM units WHERE id = ANY($1::uuid[])`, [wanted]);
    if (found.length !== wanted.length)
      throw new AppError('VALIDATION_FAILED', 'A referenced unit does not exist.', {
        errors: [{ field: 'unitId', message: 'unknown unit' }],
      });
  }
}
