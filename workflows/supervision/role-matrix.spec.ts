import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CAST } from './fixtures.js';
import { STATE_EVENTS } from './policy.js';
import { MATRIX_PERSONAS, matrixSituations, roleMatrixMarkdown } from './role-matrix.js';

const FILE = fileURLToPath(new URL('./ROLE-MATRIX.md', import.meta.url));

describe('role matrix', () => {
  const markdown = roleMatrixMarkdown();

  it('ROLE-MATRIX.md is the matrix generated from the policy', () => {
    if (process.env.UPDATE_ROLE_MATRIX === '1') writeFileSync(FILE, markdown);
    expect(readFileSync(FILE, 'utf8')).toBe(markdown);
  });

  it('covers every event of every situation, one row each', () => {
    const rows = markdown.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| situation') && !l.startsWith('| ---'));
    const expected = matrixSituations().reduce((n, s) => n + Math.max(1, STATE_EVENTS[s.snapshot.value].length), 0);
    expect(rows).toHaveLength(expected);
    expect(MATRIX_PERSONAS.every((p) => CAST[p.name])).toBe(true);
  });

  it('says who does what (spot checks of the generated cells)', () => {
    const cell = (situation: string, event: string, persona: string): string => {
      const cells = (line: string) => line.split('|').map((x) => x.trim());
      const header = cells(markdown.split('\n').find((l) => l.startsWith('| situation'))!);
      const row = cells(markdown.split('\n').find((l) => l.startsWith(`| ${situation} | ${event} |`))!);
      expect(header.indexOf(persona)).toBeGreaterThan(2);
      return row[header.indexOf(persona)];
    };
    expect(cell('registered', 'ASSIGN', '督查员')).toBe('✓');
    expect(cell('registered', 'ASSIGN', '批示领导')).toBe('·');
    expect(cell('assigned (no unit signed yet)', 'SIGN_FOR', '主办单位收文员')).toBe('✓');
    expect(cell('assigned (no unit signed yet)', 'SIGN_FOR', '其他单位承办人')).toBe('·');
    expect(cell('in_progress', 'SUBMIT_RESULT', '主办单位承办人')).toBe('✓');
    expect(cell('in_progress', 'SUBMIT_RESULT', '协办单位承办人')).toBe('·');
    expect(cell('in_progress', 'ISSUE_CARD', '系统（定时任务）')).toBe('✓');
    expect(cell('in_progress', 'ISSUE_CARD', '督查员')).toBe('·');
    expect(cell('in_progress, extension forwarded to the leader', 'DECIDE_EXTENSION', '批示领导')).toBe('✓');
    expect(cell('in_progress, extension forwarded to the leader', 'DECIDE_EXTENSION', '其他领导')).toBe('·');
    expect(cell('in_progress, red card issued', 'RECORD_ACCOUNTABILITY', '督查员')).toBe('✓');
    expect(cell('in_progress', 'RECORD_ACCOUNTABILITY', '督查员')).toBe('·');
    expect(cell('closed', 'REOPEN', '批示领导')).toBe('✓');
    expect(cell('closed', 'FILE', '档案员')).toBe('✓');
    expect(cell('review', 'CLOSE', '系统管理员')).toBe('·');
  });
});
