import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import argon2 from 'argon2';
import { DataSource, Not } from 'typeorm';
import { SYSTEM_USER_ID, UnitEntity, UserEntity, type UnitKind } from '../../../../libs/persistence/src/index.js';
import type { AuthorityScope, Role } from '../../../../workflows/outgoing/types.js';
import type { ClassificationLevel } from '../../../../libs/document/src/model.js';
import { sortZh } from '../../../../libs/document/src/index.js';
import { AppError } from '../common/errors.js';

export interface NewUser {
  username: string; displayName: string; password: string; unitId: string | null; roles: Role[];
  clearance: ClassificationLevel; authority: AuthorityScope | null;
}

const view = (u: UserEntity) => ({
  id: u.id, username: u.username, displayName: u.displayName, unitId: u.unitId, roles: u.roles,
  clearance: u.clearance, authority: u.authority, active: u.active,
});
const unitView = (u: UnitEntity) => ({ id: u.id, name: u.name, code: u.code, kind: u.kind, parentId: u.parentId, fondsCode: u.fondsCode });

@Injectable()
export class AdminService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async listUsers() {
    // the built-in system account is not a person to manage
    return (await this.db.getRepository(UserEntity).find({ where: { id: Not(SYSTEM_USER_ID) }, order: { username: 'ASC' } })).map(view);
  }

  async createUser(input: NewUser) {
    const repo = this.db.getRepository(UserEntity);
    if (await repo.existsBy({ username: input.username })) throw new AppError('DUPLICATE', `The username "${input.username}" is taken.`);
    await this.assertUnits([input.unitId, ...(input.authority?.issuerUnitIds ?? [])]);
    const user = await repo.save(repo.create({
      username: input.username, displayName: input.displayName, passwordHash: await argon2.hash(input.password),
      unitId: input.unitId, roles: input.roles, clearance: input.clearance, authority: input.authority, active: true,
    }));
    return view(user);
  }

  async updateUser(id: string, patch: Partial<Omit<NewUser, 'username'>> & { active?: boolean }) {
    const repo = this.db.getRepository(UserEntity);
    const user = id === SYSTEM_USER_ID ? null : await repo.findOneBy({ id });
    if (!user) throw new AppError('NOT_FOUND', 'No such user.');
    await this.assertUnits([patch.unitId ?? null, ...(patch.authority?.issuerUnitIds ?? [])]);
    const { password, ...rest } = patch;
    Object.assign(user, Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)));
    if (password) user.passwordHash = await argon2.hash(password);
    await repo.save(user);
    if (patch.active === false || password) {
      await this.db.query(`UPDATE auth_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL`, [id]);
    }
    return view(user);
  }

  async listUnits() {
    const units = await this.db.getRepository(UnitEntity).find({ order: { kind: 'ASC' } });
    return sortZh(units, (u) => u.kind, (u) => u.name).map(unitView);
  }

  async createUnit(input: { name: string; code: string | null; kind: UnitKind; parentId: string | null; fondsCode: string | null }) {
    if (input.kind === 'issuer' && !input.code) throw new AppError('VALIDATION_FAILED', 'An issuing body needs a code (e.g. 区委办).', { errors: [{ field: 'code', message: 'required for issuers' }] });
    const repo = this.db.getRepository(UnitEntity);
    if (input.code && (await repo.existsBy({ code: input.code }))) throw new AppError('DUPLICATE', `The unit code "${input.code}" is taken.`);
    await this.assertUnits([input.parentId]);
    return unitView(await repo.save(repo.create(input)));
  }

  private async assertUnits(ids: (string | null | undefined)[]) {
    const wanted = [...new Set(ids.filter((x): x is string => !!x))];
    if (!wanted.length) return;
    const found = await this.db.query(`SELECT id FROM units WHERE id = ANY($1::uuid[])`, [wanted]);
    if (found.length !== wanted.length) throw new AppError('VALIDATION_FAILED', 'A referenced unit does not exist.', { errors: [{ field: 'unitId', message: 'unknown unit' }] });
  }
}
