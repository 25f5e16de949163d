import argon2 from 'argon2';
import type { DataSource } from 'typeorm';
import { SYSTEM_USER_ID } from '#gongwen/persistence';
import type { AuthorityScope, Role } from '#gongwen/workflows/outgoing/types';
import type { ClassificationLevel } from '#gongwen/document/model';

export const DEMO_PASSWORD = 'gongwen-demo';

interface DemoUser {
  username: string;
  displayName: string;
  roles: Role[];
  unit: string;
  clearance: ClassificationLevel;
  authority?: 'committee' | 'government';
}

export const DEMO_USERS: DemoUser[] = [
  { username: 'secretary', displayName: '王秘书', roles: ['secretary'], unit: '秘书科', clearance: 'top_secret' },
  { username: 'secretary2', displayName: '李秘书', roles: ['secretary'], unit: '综合科', clearance: 'secret' },
  { username: 'chief', displayName: '张科长', roles: ['chief', 'secretary'], unit: '秘书科', clearance: 'top_secret' },
  { username: 'discussant', displayName: '赵主任', roles: ['discussant'], unit: '综合科', clearance: 'secret' },
  { username: 'discussant2', displayName: '钱副主任', roles: ['discussant'], unit: '信息科', clearance: 'confidential' },
  { username: 'proofreader', displayName: '孙校对', roles: ['proofreader'], unit: '秘书科', clearance: 'top_secret' },
  { username: 'reviewer', displayName: '周审核', roles: ['reviewer'], unit: '中共××区委办公室', clearance: 'top_secret' },
  { username: 'signer', displayName: '吴书记', roles: ['signer'], unit: '区委领导', clearance: 'top_secret', authority: 'committee' },
  {
    username: 'signer2',
    displayName: '郑区长',
    roles: ['signer'],
    unit: '××区人民政府办公室',
    clearance: 'top_secret',
    authority: 'government',
  },
  { username: 'clerk', displayName: '冯文书', roles: ['clerk'], unit: '秘书科', clearance: 'top_secret' },
  { username: 'reader', displayName: '陈局长', roles: ['reader'], unit: '区发展和改革局', clearance: 'secret' },
  { username: 'reader2', displayName: '褚局长', roles: ['reader'], unit: '区财政局', clearance: 'none' },
  { username: 'archivist', displayName: '卫档案员', roles: ['archivist'], unit: '中共××区委办公室', clearance: 'top_secret' },
  { username: 'admin', displayName: '系统管理员', roles: ['admin'], unit: '中共××区委办公室', clearance: 'none' },
  // reads the archive access log with search words and the administrators' audit log; acts on nothing
  { username: 'auditor', displayName: '韩审计员', roles: ['auditor'], unit: '中共××区委办公室', clearance: 'top_secret' },
  // the receiving side (收文): 区发展和改革局 with its registrar, office chief, leaders and two departments' handlers,
  // and 区财政局's registrar
  { username: 'fgw_registrar', displayName: '刘收文', roles: ['registrar'], unit: '区发展和改革局', clearance: 'secret' },
  { username: 'fgw_chief', displayName: '何主任', roles: ['chief'], unit: '区发展和改革局', clearance: 'secret' },
  { username: 'fgw_leader', displayName: '郑副局长', roles: ['leader'], unit: '区发展和改革局', clearance: 'secret' },
  { username: 'fgw_leader2', displayName: '王副局长', roles: ['leader'], unit: '区发展和改革局', clearance: 'confidential' },
  { username: 'fgw_handler', displayName: '林科员', roles: ['handler'], unit: '发改局综合科', clearance: 'secret' },
  { username: 'fgw_handler2', displayName: '吕科员', roles: ['handler'], unit: '发改局规划科', clearance: 'confidential' },
  { username: 'czj_registrar', displayName: '马收文', roles: ['registrar'], unit: '区财政局', clearance: 'none' },
  // supervision (督查督办) in the district committee's office
  { username: 'supervisor', displayName: '宋督查', roles: ['supervisor'], unit: '督查室', clearance: 'secret' },
  // the seal custodian (印章管理员) of 区委办: applies its electronic seal to registered documents (用印)
  { username: 'seal_keeper', displayName: '严印章', roles: ['seal_keeper'], unit: '中共××区委办公室', clearance: 'top_secret' },
];

/** Seeds the demo office when the database has no users (but the system account). Returns false when it was not empty. */
export async function seedDemo(db: DataSource): Promise<boolean> {
  return db.transaction(async (tx) => {
    await tx.query(`LOCK TABLE users IN EXCLUSIVE MODE`);
    // (the built-in system account comes with the migrations and does not count)
    const [{ n }] = await tx.query(`SELECT count(*)::int AS n FROM users WHERE id <> $1`, [SYSTEM_USER_ID]);
    if (n > 0) return false;
    const unit = async (
      name: string,
      kind: string,
      code: string | null = null,
      parentId: string | null = null,
      fonds: string | null = null,
    ) =>
      (
        await tx.query(`INSERT INTO units (name, kind, code, parent_id, fonds_code) VALUES ($1,$2,$3,$4,$5) RETURNING id`, [
          name,
          kind,
          code,
          parentId,
          fonds,
        ])
      )[0].id as string;
    const ids: Record<string, string> = {};
    ids['中共××区委办公室'] = await unit('中共××区委办公室', 'issuer', '区委办', null, '0194');
    ids['××区人民政府办公室'] = await unit('××区人民政府办公室', 'issuer', '区政办', null, '0195');
    for (const s of ['秘书科', '综合科', '信息科']) ids[s] = await unit(s, 'section', null, ids['中共××区委办公室']);
    ids['区委领导'] = await unit('区委领导', 'leadership', null, ids['中共××区委办公室']);
    ids['督查室'] = await unit('督查室', 'section', null, ids['中共××区委办公室']);
    // each receiving unit is its own fonds (全宗): its filed incoming documents join its archive
    for (const [r, fonds] of [
      ['区发展和改革局', '0301'],
      ['区财政局', '0302'],
      ['区教育局', '0303'],
    ])
      ids[r] = await unit(r, 'reader_unit', null, null, fonds);
    // the departments (科室) of the receiving units that handle incoming documents
    for (const s of ['发改局综合科', '发改局规划科']) ids[s] = await unit(s, 'section', null, ids['区发展和改革局']);
    ids['财政局预算科'] = await unit('财政局预算科', 'section', null, ids['区财政局']);
    // a group of units that recipients can name (it expands to its members)
    const [{ id: group }] = await tx.query(`INSERT INTO unit_groups (name) VALUES ('区直各单位') RETURNING id`);
    for (const [i, r] of ['区发展和改革局', '区财政局', '区教育局'].entries())
      await tx.query(`INSERT INTO unit_group_members (group_id, unit_id, position) VALUES ($1, $2, $3)`, [group, ids[r], i + 1]);
    const authority: Record<string, AuthorityScope> = {
      committee: { issuerUnitIds: [ids['中共××区委办公室']], kinds: [], maxClassification: 'top_secret' },
      government: { issuerUnitIds: [ids['××区人民政府办公室']], kinds: [], maxClassification: 'secret' },
    };
    // The demo password is published (README), so its hash guards nothing: it is made at OWASP's minimum for
    // argon2id (19 MiB, 2 passes, 1 lane) rather than the 64 MiB × 3 × 4 every real password gets. Logging a demo
    // user in then costs a few milliseconds instead of a hundred, for the demo and the thousand logins of a test run.
    const hash = await argon2.hash(DEMO_PASSWORD, { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 });
    for (const u of DEMO_USERS) {
      await tx.query(
        `INSERT INTO users (username, display_name, password_hash, unit_id, roles, clearance, authority) VALUES ($1,$2,$3,$4,$5,$6,$7)`,
        [u.username, u.displayName, hash, ids[u.unit], u.roles, u.clearance, u.authority ? JSON.stringify(authority[u.authority]) : null],
      );
    }
    // the demo seal of 区委办, kept by seal_keeper: ordered here, made (keys, certificate, image) by the seals service
    // at start-up, where the key secret is configured
    const [{ id: keeper }] = await tx.query(`SELECT id FROM users WHERE username = 'seal_keeper'`);
    await tx.query(
      `INSERT INTO seals (issuer_unit_id, es_id, name, status, image_source, valid_from, valid_to, custodian_ids)
       VALUES ($1, 'GW-QWB-0001', '中共××区委办公室', 'ordered', 'generated', now() - interval '1 day', now() + interval '5 years', $2)`,
      [ids['中共××区委办公室'], [keeper]],
    );
    return true;
  });
}

/** A production install's first administrator, from GONGWEN_ADMIN_PASSWORD, when no admin exists. */
export async function ensureFirstAdmin(db: DataSource, password: string): Promise<boolean> {
  const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM users WHERE 'admin' = ANY(roles)`);
  if (n > 0) return false;
  await db.query(
    `INSERT INTO users (username, display_name, password_hash, roles) VALUES ('admin', 'Administrator', $1, '{admin}') ON CONFLICT (username) DO NOTHING`,
    [await argon2.hash(password)],
  );
  return true;
}
