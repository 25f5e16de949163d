/**
 * Delegations (委托): a leader hands signing (签发) and/or circulation reading (阅文) to a named deputy for a period.
 * The principal makes one for himself; an administrator may make one for an absent leader (recorded in the admin
 * audit chain, as is an administrator's revocation). Rules, checked under a lock on both people:
 *   - the deputy is an active user of the principal's office (the top of the unit chain), not the principal, not an
 *     administrator;
 *   - the principal holds what he hands over (sign → the signer role; read → reader or leader);
 *   - no chains: a principal cannot hand over a scope he holds himself by delegation in that period;
 *   - no overlap: one deputy per scope at a time (an unrevoked delegation of the same scope meeting the period);
 *   - the period ends after it starts and after now, and lasts at most MAX_DAYS.
 * Rows are never deleted; a revocation is written on the row.
 */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { DelegationScope } from '#gongwen/authority';
import { classificationRank } from '#gongwen/document/model';
import { appendAdminAudit } from '../admin/admin.audit.js';
import type { AuthUser } from '../auth/auth.types.js';
import { AppError } from '../common/errors.js';
import {
  insertDelegation,
  lockPeople,
  revokeDelegation,
  selectActionsFor,
  selectDelegation,
  selectForUser,
  selectOverlapping,
  selectPerson,
  type DelegationRow,
} from './repository.js';

/** The longest period a delegation may cover (a leader's absence: leave, a training course, a trip). */
export const MAX_DAYS = 90;
/** A start this far in the past is taken as "from now" (clocks and forms are not exact). */
const START_SLACK_MS = 10 * 60_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The roles that make a scope the principal's to hand over. */
const SCOPE_ROLES: Record<DelegationScope, string[]> = { sign: ['signer'], read: ['reader', 'leader'] };

export interface CreateDelegation {
  /** Only an administrator names someone else; everyone else delegates for himself. */
  principalId?: string;
  deputyId: string;
  scopes: DelegationScope[];
  startsAt?: string;
  endsAt: string;
  reason: string;
}

export type DelegationStatus = 'upcoming' | 'active' | 'ended' | 'revoked';

function statusOf(g: DelegationRow, now = Date.now()): DelegationStatus {
  if (g.revoked_at) return 'revoked';
  if (new Date(g.ends_at).getTime() <= now) return 'ended';
  return new Date(g.starts_at).getTime() > now ? 'upcoming' : 'active';
}

export function delegationView(g: DelegationRow & { principal_name?: string; deputy_name?: string }) {
  return {
    id: g.id,
    principal: { id: g.principal_id, name: g.principal_name ?? null },
    deputy: { id: g.deputy_id, name: g.deputy_name ?? null },
    scopes: g.scopes,
    startsAt: new Date(g.starts_at).toISOString(),
    endsAt: new Date(g.ends_at).toISOString(),
    reason: g.reason,
    status: statusOf(g),
    createdBy: g.created_by,
    createdAt: new Date(g.created_at).toISOString(),
    revokedAt: g.revoked_at ? new Date(g.revoked_at).toISOString() : null,
    revokedBy: g.revoked_by,
    revokeReason: g.revoke_reason,
  };
}

const isAdmin = (u: AuthUser) => u.roles.includes('admin');

@Injectable()
export class DelegationsService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async create(user: AuthUser, input: CreateDelegation) {
    const principalId = input.principalId ?? user.id;
    if (principalId !== user.id && !isAdmin(user)) {
      throw new AppError('FORBIDDEN', 'Only an administrator may make a delegation for someone else.');
    }
    if (principalId === user.id && isAdmin(user)) {
      throw new AppError('DELEGATION_SCOPE', 'An administrator signs and reads nothing, so has nothing to delegate.');
    }
    const now = Date.now();
    const starts = input.startsAt ? new Date(input.startsAt) : new Date(now);
    const ends = new Date(input.endsAt);
    const period = (why: string) => new AppError('DELEGATION_PERIOD', why);
    if (!(ends.getTime() > starts.getTime())) throw period('The period must end after it starts.');
    if (ends.getTime() <= now) throw period('The period is already over.');
    if (starts.getTime() < now - START_SLACK_MS) throw period('The period cannot start in the past.');
    if (ends.getTime() - starts.getTime() > MAX_DAYS * 86_400_000) throw period(`A delegation lasts at most ${MAX_DAYS} days.`);
    const scopes = [...new Set(input.scopes)].sort() as DelegationScope[];

    const row = await this.db.transaction(async (m) => {
      await lockPeople(m, [principalId, input.deputyId]);
      const principal = await selectPerson(m, principalId);
      if (!principal || !principal.active) throw new AppError('DELEGATE_INVALID', 'The principal is not an active user.');
      const deputy = principalId === input.deputyId ? undefined : await selectPerson(m, input.deputyId);
      if (!deputy || !deputy.active || deputy.roles.includes('admin') || !deputy.office_id || deputy.office_id !== principal.office_id) {
        throw new AppError('DELEGATE_INVALID', "The deputy must be another active user of the principal's office, not an administrator.");
      }
      const missing = scopes.filter((s) => !SCOPE_ROLES[s].some((r) => principal.roles.includes(r as never)));
      if (missing.length) {
        throw new AppError('DELEGATION_SCOPE', `The principal does not hold ${missing.join(', ')} to hand over.`);
      }
      const held = await selectOverlapping(m, 'deputy_id', principalId, scopes, starts, ends);
      if (held.length) {
        throw new AppError('DELEGATION_CHAIN', 'The principal holds this scope by delegation in that period; a deputy never passes it on.');
      }
      const overlapping = await selectOverlapping(m, 'principal_id', principalId, scopes, starts, ends);
      if (overlapping.length) {
        throw new AppError('DELEGATION_OVERLAP', 'The same scope is already delegated for an overlapping period.');
      }
      // and the deputy does not pass on what he receives: he may not be a principal of the same scope then either
      const given = await selectOverlapping(m, 'principal_id', input.deputyId, scopes, starts, ends);
      if (given.length) {
        throw new AppError('DELEGATION_CHAIN', 'The deputy has delegated this scope himself in that period; it would make a chain.');
      }
      const created = await insertDelegation(m, {
        principalId,
        deputyId: input.deputyId,
        scopes,
        startsAt: starts,
        endsAt: ends,
        reason: input.reason,
        createdBy: user.id,
      });
      if (isAdmin(user)) {
        await appendAdminAudit(m, {
          actorId: user.id,
          action: 'delegation.created',
          targetUserId: principalId,
          detail: {
            delegationId: created.id,
            deputyId: input.deputyId,
            scopes,
            startsAt: starts.toISOString(),
            endsAt: ends.toISOString(),
            reason: input.reason,
          },
        });
      }
      return created;
    });
    return this.one(row.id);
  }

  /** Given (as principal) and received (as deputy), current and past. */
  async list(user: AuthUser) {
    const rows = await selectForUser(this.db.manager, user.id);
    return {
      given: rows.filter((g) => g.principal_id === user.id).map(delegationView),
      received: rows.filter((g) => g.deputy_id === user.id).map(delegationView),
    };
  }

  /** The principal, his deputy, or an administrator revokes; anyone else gets NOT_FOUND. */
  async revoke(user: AuthUser, id: string, reason: string | undefined) {
    if (!UUID.test(id)) throw notFound();
    await this.db.transaction(async (m) => {
      const g = await selectDelegation(m, id, true);
      if (!g || (g.principal_id !== user.id && g.deputy_id !== user.id && !isAdmin(user))) throw notFound();
      if (statusOf(g) === 'revoked' || statusOf(g) === 'ended')
        throw new AppError('DELEGATION_ENDED', 'The delegation was already revoked or is over.');
      await revokeDelegation(m, id, user.id, reason ?? null);
      if (isAdmin(user)) {
        await appendAdminAudit(m, {
          actorId: user.id,
          action: 'delegation.revoked',
          targetUserId: g.principal_id,
          detail: { delegationId: id, deputyId: g.deputy_id, ...(reason ? { reason } : {}) },
        });
      }
    });
    return this.one(id);
  }

  /**
   * What deputies did on the user's behalf, newest first. A document above the user's own clearance is listed
   * without its title (it was his task once; the title is not his to read now).
   */
  async actions(user: AuthUser, limit: number) {
    const rank = classificationRank(user.clearance);
    const rows = await selectActionsFor(this.db.manager, user.id, limit);
    return {
      items: rows.map((r) => ({
        documentId: r.document_id,
        workflow: r.workflow_id,
        title: r.classification_rank <= rank ? r.title : null,
        eventType: r.event_type,
        fromState: r.from_state,
        toState: r.to_state,
        deputy: { id: r.actor_id, name: r.deputy_name },
        at: new Date(r.created_at).toISOString(),
        opinion: r.opinion,
      })),
    };
  }

  private async one(id: string) {
    const [row] = await this.db.query(
      `SELECT g.*, p.display_name AS principal_name, d.display_name AS deputy_name
         FROM delegations g JOIN users p ON p.id = g.principal_id JOIN users d ON d.id = g.deputy_id WHERE g.id = $1`,
      [id],
    );
    return delegationView(row);
  }
}

function notFound(): AppError {
  return new AppError('NOT_FOUND', 'No such delegation.');
}
