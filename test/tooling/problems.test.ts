/**
 * Every problem code the API can answer, and every gate condition code, has a Chinese and an English message in the
 * web UI (apps/web/src/problems.ts): a new code without its messages fails here. Condition codes a service adds outside
 * the workflow (`code: 'X'` inside a `conditions` list) are found in the API's sources.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_STATUS } from '../../apps/api/src/common/errors.js';
import { CONDITION_MESSAGES, PROBLEM_MESSAGES, conditionMessage } from '../../apps/web/src/problems.js';
import { VIOLATION_CODES } from '../../workflows/outgoing/policy.js';

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
