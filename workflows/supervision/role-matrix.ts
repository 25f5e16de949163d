/**
 * The role matrix of the supervision workflow, generated from the policy: for each situation of an item (a state,
 * and in_progress with an extension waiting or after a red card), which of a sample cast may send each event the
 * state handles (permission: role, unit, assignment — payload and gates aside). ROLE-MATRIX.md is this output;
 * role-matrix.spec.ts checks it is up to date (UPDATE_ROLE_MATRIX=1 rewrites it).
 */
import { CAST, OVERDUE_AT, ev, reach, run, type CastName } from './fixtures.js';
import type { SupervisionSnapshot } from './machine.js';
import { STATE_EVENTS, permissionConditions } from './policy.js';
import type { SupervisionState } from './types.js';

export const MATRIX_PERSONAS: { name: CastName; label: string }[] = [
  { name: 'sup', label: '督查员' },
  { name: 'leader', label: '批示领导' },
  { name: 'otherLeader', label: '其他领导' },
  { name: 'leadH', label: '主办单位承办人' },
  { name: 'leadR', label: '主办单位收文员' },
  { name: 'assistH', label: '协办单位承办人' },
  { name: 'otherH', label: '其他单位承办人' },
  { name: 'arch', label: '档案员' },
  { name: 'system', label: '系统（定时任务）' },
  { name: 'admin', label: '系统管理员' },
];

export interface Situation {
  label: string;
  snapshot: SupervisionSnapshot;
}

export function matrixSituations(): Situation[] {
  const c = CAST;
  const asked = run(reach('in_progress'), [ev('REQUEST_EXTENSION', c.leadH, { reason: 'r', progress: 'p', newDeadline: '2026-04-30' })]);
  return [
    { label: 'registered', snapshot: reach('registered') },
    { label: 'assigned (no unit signed yet)', snapshot: reach('assigned') },
    { label: 'in_progress', snapshot: reach('in_progress') },
    { label: 'in_progress, extension requested', snapshot: asked },
    {
      label: 'in_progress, extension forwarded to the leader',
      snapshot: run(asked, [ev('REVIEW_EXTENSION', c.sup, { decision: 'forward', opinion: 'o' })]),
    },
    {
      label: 'in_progress, red card issued',
      snapshot: run(reach('in_progress'), [ev('ISSUE_CARD', c.system, { colour: 'red', reason: '逾期' }, OVERDUE_AT)]),
    },
    { label: 'review', snapshot: reach('review') },
    { label: 'closed', snapshot: reach('closed') },
    { label: 'archived', snapshot: reach('archived') },
    { label: 'cancelled', snapshot: reach('cancelled') },
  ];
}

/** The matrix as Markdown: ✓ = permitted, · = refused. */
export function roleMatrixMarkdown(): string {
  const head = ['situation', 'event', ...MATRIX_PERSONAS.map((p) => p.label)];
  const lines = [
    '# Supervision workflow (督查督办): role matrix',
    '',
    'Generated from `workflows/supervision/policy.ts` by `role-matrix.ts`; checked by `role-matrix.spec.ts`',
    '(`UPDATE_ROLE_MATRIX=1 npm run test:unit -- workflows/supervision/role-matrix` rewrites it). ✓ = the persona may',
    'send the event (role, unit and assignment; the payload and the gate are checked besides), · = refused.',
    '',
    'Personas: units act through their staff (`handler@unit`, `registrar@unit`); the instructing leader by user id;',
    'colour cards only the system account. Final states (archived, cancelled) take no event.',
    '',
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
  ];
  for (const { label, snapshot } of matrixSituations()) {
    const state = snapshot.value as SupervisionState;
    const events = STATE_EVENTS[state];
    if (!events.length) {
      lines.push(`| ${label} | — | ${MATRIX_PERSONAS.map(() => '·').join(' | ')} |`);
      continue;
    }
    for (const type of events) {
      const cells = MATRIX_PERSONAS.map((p) => (permissionConditions(state, snapshot.context, CAST[p.name], type).length ? '·' : '✓'));
      lines.push(`| ${label} | ${type} | ${cells.join(' | ')} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}
