import { startTestApp, type TestApp } from '../support/app.js';
import { demoIds, docClient, driveSimple, type Ids } from '../support/flow.js';

let t: TestApp;
let ids: Ids;
beforeAll(async () => {
  t = await startTestApp();
  ids = await demoIds(t);
});
afterAll(async () => {
  await t?.close();
});

const verify = async (id: string) => (await t.request(`/api/documents/${id}/verify`, { as: 'chief' })).json();

describe('Ed25519 signatures', () => {
  it('a signature covers the revision hash, document, signer, role and time, and verifies', async () => {
    const d = await driveSimple(t, ids, 'registration');
    const rows = await t.db.dataSource.query(
      `SELECT s.*, k.encrypted_private_key FROM signatures s JOIN signing_keys k ON k.id = s.key_id WHERE document_id = $1`,
      [d.id],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ signer_id: ids.u.signer, revision_hash: d.currentRevision.hash, role: 'signer' });
    expect(rows[0].encrypted_private_key).toContain('ENCRYPTED PRIVATE KEY');
    const v = await verify(d.id);
    expect(v).toMatchObject({ ok: true, checks: expect.arrayContaining(['signatures']) });
  });

  it('a forged signature, a re-pointed revision hash or a deleted signature is detected', async () => {
    const a = await driveSimple(t, ids, 'circulation');
    await t.db.dataSource.query(`UPDATE signatures SET signature = $2 WHERE document_id = $1`, [
      a.id,
      Buffer.alloc(64, 7).toString('base64'),
    ]);
    expect((await verify(a.id)).firstBroken).toMatchObject({ kind: 'signature', problem: 'the signature does not verify' });

    const b = await driveSimple(t, ids, 'circulation');
    await t.db.dataSource.query(`UPDATE signatures SET revision_hash = repeat('0', 64) WHERE document_id = $1`, [b.id]);
    expect((await verify(b.id)).firstBroken.kind).toBe('signature');

    const c = await driveSimple(t, ids, 'circulation');
    await t.db.dataSource.query(`DELETE FROM signatures WHERE document_id = $1`, [c.id]);
    expect((await verify(c.id)).firstBroken).toMatchObject({ kind: 'signature' });
  });

  it('a return from registration (substantive change) voids the signatures', async () => {
    const c = docClient(t);
    const d = await driveSimple(t, ids, 'registration');
    const live = async () =>
      (await t.db.dataSource.query(`SELECT count(*)::int AS n FROM signatures WHERE document_id = $1 AND voided_at IS NULL`, [d.id]))[0].n;
    expect(await live()).toBe(1);
    const back = await c.ok(c.event('clerk', d.id, { type: 'RETURN', reason: '主送机关有误，需重新签发' }));
    expect(back.state).toBe('signing');
    expect(back.signatures).toEqual([]);
    expect(await live()).toBe(0);
    expect((await verify(d.id)).ok).toBe(true);
    const again = await c.ok(c.event('signer', d.id, { type: 'SIGN', issuerUnitId: ids.committee }));
    expect(again.state).toBe('registration');
    expect(await live()).toBe(1);
    expect((await verify(d.id)).ok).toBe(true);
  });

  it('a tampered document row (snapshot) is caught by replay', async () => {
    const d = await driveSimple(t, ids, 'review');
    await t.db.dataSource.query(`UPDATE documents SET snapshot = jsonb_set(snapshot, '{context,major}', 'true') WHERE id = $1`, [d.id]);
    expect((await verify(d.id)).firstBroken).toMatchObject({ kind: 'snapshot' });
  });
});
