/**
 * Delegation (委托/代签) in real Chromium against the real API and database: the leader opens 委托, picks a deputy by
 * name and delegates signing; the deputy finds the leader's signing task in his inbox marked 代 吴书记, signs it for
 * him from the document page, and the history says 代签：…（代 吴书记）; the leader sees on 委托 what was done on his
 * behalf and revokes. axe finds no violation on any page state visited, and no panel shows an id.
 */
import type { TestApp } from '../support/app.js';
import { createUser } from '../support/attack.js';
import { demoIds, driveSimple } from '../support/flow.js';
import { browserSuite, noIds } from './browser-suite.js';
import { axeViolations as violations } from './web-app.js';

const SLOW = 180_000;
const TITLE = '关于做好冬季供暖保障工作的通知';

let t: TestApp;
const { openPage, login } = browserSuite(SLOW, async (app) => {
  t = app;
  const [{ id: leadership }] = await t.db.dataSource.query(`SELECT id FROM units WHERE name = '区委领导'`);
  await createUser(t, 'deputy', ['reader'], 'secret', { unitId: leadership, displayName: '郑副书记' });
});

describe('delegation in the browser', () => {
  it(
    'the leader delegates signing by name; the deputy signs for him; history, the 委托 page and revoking show it',
    async () => {
      const ids = await demoIds(t);
      const leader = await openPage();
      await login(leader, 'signer');
      await leader.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '委托' }).click();
      await leader.getByRole('heading', { level: 1, name: '委托代签与代阅' }).waitFor();
      await leader.getByText('暂无委托。').first().waitFor();
      expect(await violations(leader)).toEqual([]);

      // an empty reason cannot be sent; a deputy is picked by name
      const deputy = leader.getByRole('group', { name: '受托人', exact: true });
      await deputy.getByRole('searchbox').fill('郑副');
      await deputy.getByLabel(/郑副书记/).check();
      await leader.getByLabel('委托事由').fill('赴省委党校学习');
      expect(await violations(leader)).toEqual([]);
      await leader.getByRole('button', { name: '委托', exact: true }).click();
      await leader.getByRole('status').filter({ hasText: '委托已生效：郑副书记可代您办理签发。' }).waitFor();
      const given = leader.getByTestId('delegations-given');
      await given.locator('tr', { hasText: '郑副书记' }).filter({ hasText: '生效中' }).waitFor();
      expect(await violations(leader)).toEqual([]);
      await noIds(leader);

      // a document waits for the leader's signature
      const doc = await driveSimple(t, ids, 'signing', TITLE);

      // the deputy: the task is in his inbox, marked as the leader's
      const dep = await openPage();
      await login(dep, 'deputy');
      const item = dep.locator('li.doc-item', { hasText: TITLE });
      await item.waitFor();
      await item.getByTestId('on-behalf-tag').filter({ hasText: '代 吴书记' }).waitFor();
      expect(await violations(dep)).toEqual([]);
      await noIds(dep);
      await item.getByRole('link', { name: TITLE }).click();
      const acting = dep.getByTestId('acting-for');
      await acting.getByRole('heading', { name: '代吴书记办理' }).waitFor();
      expect(await violations(dep)).toEqual([]);
      await acting.getByRole('button', { name: '签发…' }).click();
      const dialog = dep.getByRole('dialog', { name: '确认签发' });
      await dialog.getByLabel('请再次输入您的登录密码').fill('gongwen-demo');
      expect(await violations(dep)).toEqual([]);
      await dialog.getByRole('button', { name: '确认签发' }).click();
      // the history names both: the deputy, for the leader
      await dep.getByTestId('on-behalf').filter({ hasText: '代签：郑副书记（代 吴书记）' }).waitFor();
      await dep.getByTestId('chain').filter({ hasText: '✓' }).waitFor();
      expect(await violations(dep)).toEqual([]);
      await noIds(dep);

      const stored = await (await t.request(`/api/documents/${doc.id}`, { as: 'signer' })).json();
      expect(stored.state).toBe('registration');
      expect(stored.signatures[0]).toMatchObject({ signerId: ids.u.signer });
      expect(stored.signatures[0].signedBy).toBeDefined();

      // the leader sees what was done on his behalf, and revokes
      await leader.reload();
      const done = leader.getByTestId('delegated-actions').locator('tr', { hasText: TITLE });
      await done.waitFor();
      expect(await done.textContent()).toContain('郑副书记');
      expect(await done.textContent()).toContain('签发');
      expect(await violations(leader)).toEqual([]);
      await given.getByRole('button', { name: '撤销对郑副书记的委托' }).click();
      await leader.getByRole('status').filter({ hasText: '委托已撤销。' }).waitFor();
      await given.locator('tr', { hasText: '郑副书记' }).filter({ hasText: '已撤销' }).waitFor();
      expect(await violations(leader)).toEqual([]);
      await noIds(leader);

      // the leader's own history panel shows the same line
      await leader.goto(`${t.baseUrl}/documents/${doc.id}`);
      await leader.getByTestId('on-behalf').filter({ hasText: '代签：郑副书记（代 吴书记）' }).waitFor();
      expect(await violations(leader)).toEqual([]);
      await noIds(leader);
    },
    SLOW,
  );

  it('refusals are shown in Chinese: a deputy from another office', async () => {
    const leader = await openPage();
    await login(leader, 'signer', '/settings/delegation');
    await leader.getByRole('heading', { level: 1, name: '委托代签与代阅' }).waitFor();
    const deputy = leader.getByRole('group', { name: '受托人', exact: true });
    await deputy.getByRole('searchbox').fill('陈局长');
    await deputy.getByLabel(/陈局长/).check();
    await leader.getByLabel('委托事由').fill('出差');
    await leader.getByRole('button', { name: '委托', exact: true }).click();
    await leader.getByRole('alert').filter({ hasText: '受托人须为本单位在职人员' }).waitFor();
    expect(await violations(leader)).toEqual([]);
    await noIds(leader);
  });
});

// The seals page shares this file's app and browser (CI time budget): a separate concern from delegation.
describe('the seals page (电子印章) in the browser', () => {
  it(
    'the custodian sees the seal (image, certificate, custodians), applies it to a registered document, and the register lists the use',
    async () => {
      const ids = await demoIds(t);
      const doc = await driveSimple(t, ids, 'circulation', '关于电子印章管理页面验证的通知');
      const keeper = await openPage();
      await login(keeper, 'seal_keeper');
      await keeper.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '电子印章' }).click();
      await keeper.getByRole('heading', { level: 1, name: '电子印章管理' }).waitFor();
      const seals = keeper.getByTestId('seals');
      const row = seals.locator('tr', { hasText: '中共××区委办公室' }).first();
      await row.filter({ hasText: '严印章' }).filter({ hasText: '有效' }).waitFor();
      // the image is the API's PNG, loaded (same-origin cookie), not a broken link
      const img = row.getByRole('img', { name: '中共××区委办公室的印章图像' });
      await img.waitFor();
      await keeper.waitForFunction(
        (el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth > 0,
        await img.elementHandle(),
      );

      // the registered document waits for the seal; 用印 applies it
      const form = keeper.getByRole('form', { name: `为《${doc.content.title}》用印` });
      await form.waitFor();
      expect(await violations(keeper)).toEqual([]);
      await form.getByRole('button', { name: '用印' }).click();
      // sealing renders and signs the DOCX and the OFD (the app's first OFD cuts its fonts: seconds on a loaded machine)
      const done = keeper.getByRole('status').filter({ hasText: `已为《${doc.content.title}》加盖“中共××区委办公室”的印章` });
      const alert = keeper.getByRole('alert');
      await done.or(alert).first().waitFor({ timeout: 120_000 });
      expect((await alert.count()) ? await alert.first().innerText() : '').toBe('');
      await keeper.getByTestId('seal-register').locator('tr', { hasText: doc.documentNumber! }).filter({ hasText: '严印章' }).waitFor();
      await form.waitFor({ state: 'detached' });
      expect(await violations(keeper)).toEqual([]);
      await noIds(keeper);

      // the API agrees: one seal on the document, verifying
      const res = await t.request(`/api/documents/${doc.id}/seals`, { as: 'chief' });
      const body = (await res.json()) as { items: { valid: boolean }[] };
      expect(body.items.map((i) => i.valid)).toEqual([true]);
    },
    SLOW,
  );
});
