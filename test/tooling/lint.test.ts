/**
 * `npm run lint`'s ESLint rules that matter are on: a floating promise, an unused variable and a hook called
 * conditionally each fail, in a probe file of the web UI (type-aware, through its tsconfig).
 */
import { ESLint } from 'eslint';
import { rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

const PROBE = resolve(`apps/web/src/lint-probe-${process.pid}.tsx`);

afterAll(() => rmSync(PROBE, { force: true }));

it('reports floating promises, unused variables and conditional hooks', async () => {
  writeFileSync(
    PROBE,
    [
      "import { useState } from 'react';",
      'async function save(): Promise<number> { return 1; }',
      'export function Probe({ on }: { on: boolean }) {',
      '  const unused = 1;',
      '  if (on) useState(0);',
      '  save();',
      '  return null;',
      '}',
      '',
    ].join('\n'),
  );
  const [result] = await new ESLint().lintFiles([PROBE]);
  const rules = result.messages.map((m) => m.ruleId).sort();
  expect(rules).toEqual(['@typescript-eslint/no-floating-promises', '@typescript-eslint/no-unused-vars', 'react-hooks/rules-of-hooks']);
}, 120_000);
