/**
 * Every problem code the API can answer, and every gate condition code, has a Chinese and an English message in the
 * web UI (apps/web/src/problems.ts): a new code without its messages fails here. Condition codes a service adds outside
 * the workflow (`code: 'X'` inside a `conditions` list) are found in the API's sources.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_STATUS } from '../../apps/api/src/common/errors.js';
import {
  CONDITION_MESSAGES,
  INCOMING_CONDITION_MESSAGES,
  PROBLEM_MESSAGES,
  SUPERVISION_CONDITION_MESSAGES,
  conditionMessage,
} from '../../apps/web/src/problems.js';
import { VIOLATION_CODES as INCOMING_CODES } from '../../workflows/incoming/policy.js';
import { VIOLATION_CODES } from '../../workflows/outgoing/policy.js';
import { VIOLATION_CODES as SUPERVISION_CODES } from '../../workflows/supervision/policy.js';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') && !p.endsWith('.spec.ts') ? [p] : [];
  });
}

/** `conditions: [...] { code: 'X' ...` in the API: condition codes a service answers besides the workflow's. */
function serviceConditionCodes(): string[] {
  const codes = new Set<string>();
  for (const f of sources(join(process.cwd(), 'apps/api/src'))) {
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/conditions:[^;]*?code: '([A-Z_]+)'/gs)) codes.add(m[1]);
  }
  return [...codes];
}

const hasBoth = (m: { zh: string; en: string } | undefined) => !!m && m.zh.trim().length > 0 && m.en.trim().length > 0;

describe('problem messages', () => {
  it('has a Chinese and an English message for every problem code of the API', () => {
    const missing = Object.keys(ERROR_STATUS).filter((c) => !hasBoth(PROBLEM_MESSAGES[c]));
    expect(missing).toEqual([]);
  });

  it('has a Chinese and an English message for every gate condition code', () => {
    const extra = serviceConditionCodes();
    expect(extra).toContain('COPY_NOT_RECALLED');
    const missing = [...VIOLATION_CODES, ...extra].filter((c) => !hasBoth(CONDITION_MESSAGES[c]));
    expect(missing).toEqual([]);
  });

  // the incoming and supervision gates answer codes of their own (some named like outgoing ones, with another meaning)
  it.each([
    ['incoming', INCOMING_CODES, INCOMING_CONDITION_MESSAGES],
    ['supervision', SUPERVISION_CODES, SUPERVISION_CONDITION_MESSAGES],
  ] as const)('has a Chinese and an English message for every %s gate condition code, without placeholders', (workflow, codes, table) => {
    expect(codes.filter((c) => !hasBoth(table[c]))).toEqual([]);
    // their conditions carry no params: a {placeholder} would print empty
    expect(Object.entries(table).filter(([, m]) => /\{\w+\}/.test(m.zh + m.en))).toEqual([]);
    // no stale entries: every message is for a code the workflow answers
    expect(Object.keys(table).filter((c) => !(codes as readonly string[]).includes(c))).toEqual([]);
    for (const code of codes) {
      const zh = conditionMessage({ code, message: 'SERVER WORDS' }, 'zh', {}, workflow);
      expect({ code, zh }).toEqual({ code, zh: table[code].zh });
      expect(zh).toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it('reads a shared code in the refusing workflow’s table: TITLE_REQUIRED of an incoming item is not about sections', () => {
    const c = { code: 'TITLE_REQUIRED', message: 'x' };
    expect(conditionMessage(c, 'zh')).toBe('分口须有标题。');
    expect(conditionMessage(c, 'zh', {}, 'incoming')).toBe('须填写标题。');
    expect(conditionMessage({ code: 'DEADLINE_PASSED', message: 'x' }, 'en', {}, 'supervision')).toBe(
      'The deadline has passed: no extension, only escalation.',
    );
    expect(conditionMessage({ code: 'SOMETHING_NEW', message: 'As the server says.' }, 'zh', {}, 'supervision')).toBe(
      'As the server says.',
    );
  });

  it('says which section, which mark (by its text) and which check, never their ids', () => {
    const names = {
      section: (id: string) => ({ s2: '工作措施' })[id],
      user: (id: string) => ({ u1: '李秘书' })[id],
      mark: (id: string) => ({ m1: '12月中旬' })[id],
    };
    expect(conditionMessage({ code: 'SECTION_NOT_SUBMITTED', message: 'x', params: { sectionId: 's2', userId: 'u1' } }, 'zh', names)).toBe(
      '分口“工作措施”尚未由李秘书提交。',
    );
    expect(conditionMessage({ code: 'OPEN_MARKS', message: 'x', params: { markIds: ['m1'] } }, 'zh', names)).toBe(
      '还有1处校对标记未处理：“12月中旬”。',
    );
    expect(conditionMessage({ code: 'OPEN_MARKS', message: 'x', params: { markIds: ['m1'] } }, 'en', names)).toBe(
      '1 proofreading mark(s) still open: “12月中旬”.',
    );
    expect(conditionMessage({ code: 'FAILED_CHECK_NEEDS_COMMENT', message: 'x', params: { items: [3] } }, 'zh')).toBe(
      '审核要点（3）不通过，须填写意见。',
    );
    // an unknown code keeps the server's words
    expect(conditionMessage({ code: 'SOMETHING_NEW', message: 'As the server says.' }, 'zh')).toBe('As the server says.');
  });
});
