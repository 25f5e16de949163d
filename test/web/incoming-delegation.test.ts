/**
 * Delegation of incoming reading (委托/代阅) in real Chromium against the real API and database: 郑副局长 has handed
 * his reading to 林科员; an item routed to 郑副局长 for reading is in 林科员's 收文 queue marked 代 郑副局长; on the
 * item's page 林科员 reads it for him (代郑副局长办理 → 阅文（代 郑副局长）), and the history says
 * 代阅：林科员（代 郑副局长）. axe finds no violation on any page state visited, and no panel shows an id.
 */
import type { TestApp } from '../support/app.js';
import { demoIds, type Ids } from '../support/flow.js';
import { ALL_CHECKS, uploadExternal } from '../incoming/support.js';
import { browserSuite, noIds } from './browser-suite.js';
import { axeViolations as violations } from './web-app.js';

const SLOW = 120_000;
const TITLE = '关于报送防汛物资储备情况的函';

let t: TestApp;
let ids: Ids;
const { openPage, login } = browserSuite(SLOW, async (app) => {
  t = app;
  ids = await demoIds(t);
});

async function api(as: string, path: string, init: { method?: string; json?: unknown; headers?: Record<string, string> } = {}) {
  const res = await t.request(path, { as, ...init });
  const body = await res.json();
  if (res.status >= 300) throw new Error(`${init.method ?? 'GET'} ${path} as ${as}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

async function event(as: string, id: string, body: Record<string, unknown>) {
  const cur = await api(as, `/api/incoming/${id}`);
  return api(as, `/api/incoming/${id}/events`, { method: 'POST', json: body, headers: { 'if-match': `"${cur.version}"` } });
}

describe('reading on behalf (代阅) in the browser', () => {
  it(
    "the deputy finds the leader's item in his queue marked 代 郑副局长, reads it for him, and the history names both",
    async () => {
      await api('fgw_leader', '/api/delegations', {
        method: 'POST',
        json: {
          deputyId: ids.u.fgw_handler,
          scopes: ['read'],
          endsAt: new Date(Date.now() + 3 * 86_400_000).toISOString(),
          reason: '下乡调研',
        },
      });
      // the deputy is at his desk (the inbox) when the leader's item arrives
      const dep = await openPage();
      await login(dep, 'fgw_handler');
      const count = dep.getByTestId('incoming-inbox-link');
      const before = Number(/(\d+)/.exec(await count.innerText())?.[1]);
      expect(Number.isInteger(before)).toBe(true);

      const up = await uploadExternal(t, 'fgw_registrar', { title: TITLE, kind: '函', senderName: '市应急管理局', medium: 'paper' });
      expect(up.status).toBe(201);
      const id = up.body.id as string;
      await event('fgw_registrar', id, { type: 'REGISTER' });
      await event('fgw_registrar', id, { type: 'PASS_CHECK', checks: ALL_CHECKS, route: 'information', readerIds: [ids.u.fgw_leader] });

      // without a reload, the inbox counts the leader's item among those awaiting him
      await count.filter({ hasText: `${before + 1} 件待我办理` }).waitFor();
      await dep.goto(`${t.baseUrl}/incoming?queue=all`);
      const row = dep.getByTestId('incoming-queue').locator('tr', { hasText: TITLE });
      await row.getByTestId('on-behalf-tag').filter({ hasText: '代 郑副局长' }).waitFor();
      expect(await violations(dep)).toEqual([]);
      await noIds(dep);

      await row.getByRole('link', { name: TITLE }).click();
      const acting = dep.getByTestId('acting-for');
      await acting.getByRole('heading', { name: '代郑副局长办理' }).waitFor();
      // nothing of his own to do here: only the leader's reading
      expect(await dep.getByTestId('incoming-actions').getByRole('form').count()).toBe(1);
      expect(await violations(dep)).toEqual([]);
      await noIds(dep);
      const form = acting.getByRole('form', { name: '阅文（代 郑副局长）' });
      await form.getByLabel('阅文意见（可选）').fill('已阅，请综合科按要求报送');
      await form.getByRole('button', { name: '阅文（代 郑副局长）' }).click();
      await dep.getByTestId('notice').filter({ hasText: '阅文' }).waitFor();
      await dep.getByTestId('on-behalf').filter({ hasText: '代阅：林科员（代 郑副局长）' }).waitFor();
      await acting.waitFor({ state: 'detached' });
      expect(await violations(dep)).toEqual([]);
      await noIds(dep);

      const stored = await api('fgw_leader', `/api/incoming/${id}`);
      expect(stored.circulation.readers).toEqual([
        expect.objectContaining({ userId: ids.u.fgw_leader, readBy: ids.u.fgw_handler, opinion: '已阅，请综合科按要求报送' }),
      ]);
      // the leader's own page shows the same line in the history
      const leader = await openPage();
      await login(leader, 'fgw_leader', `/incoming/${id}`);
      await leader.getByTestId('on-behalf').filter({ hasText: '代阅：林科员（代 郑副局长）' }).waitFor();
      expect(await violations(leader)).toEqual([]);
      await noIds(leader);
    },
    SLOW,
  );
});
