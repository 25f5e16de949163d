/**
 * The four checks (四性检测) where the archive runs them, against the real database, LibreOffice and clamscan:
 * at filing (a failure refuses the FILE event unless the archivist overrides it with a reason, kept in the audit
 * chain), at volume export (the report is inside the package) and on demand.
 */
import JSZip from 'jszip';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { clamscan } from '#gongwen/archive/checks/index';
import { exportVolume } from '../../apps/api/src/archive/export-runner.js';
import { checkBagFile } from '../../apps/api/src/archive/records-checks.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { demoIds, docClient, driveSimple, type Ids } from '../support/flow.js';
import { api, fileDocument, itemOf, ownerClient, waitPrepared } from './helpers.js';

const SLOW = 180_000;
const SIGNATURES = resolve('test/archive/fixtures/eicar-test.hdb');
const scanner = clamscan({ database: SIGNATURES });
// the EICAR test file, assembled here so that the repository holds no copy of it
const EICAR = Buffer.from(['X5O!P%@AP[4\\PZX54(P^)7CC)7}$', 'EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'].join(''), 'latin1');
const dir = mkdtempSync(join(tmpdir(), 'gongwen-records-checks-'));
let t: TestApp;
let ids: Ids;
const items: any[] = [];
let volume: any;

beforeAll(async () => {
  t = await startTestApp();
  ids = await demoIds(t);
});
afterAll(async () => {
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

const failedChecks = (r: any) => [
  ...new Set(
    [...r.packageResults, ...r.itemReports.flatMap((i: any) => i.results)]
      .filter((x: any) => x.outcome === 'fail')
      .map((x: any) => x.check),
  ),
];

describe('四性检测 in the archive', () => {
  it(
    'checks each item at filing and keeps the run; a broken audit chain refuses the filing until an archivist overrides it with a reason',
    async () => {
      for (const title of ['关于开展档案检测工作的通知', '关于做好电子档案接收工作的通知']) {
        const d = await fileDocument(t, ids, { title });
        items.push(await itemOf(t, d.id));
      }
      const runs = await t.db.dataSource.query(
        `SELECT scope, subject, outcome, report FROM archive_check_runs WHERE scope = 'filing' ORDER BY created_at`,
      );
      expect(runs.map((r: any) => r.subject)).toEqual(items.map((i) => i.archivalNumber));
      for (const r of runs) expect(failedChecks(r.report)).toEqual([]);
      expect(runs[0].report.itemReports[0].results.find((x: any) => x.check === 'authenticity.audit_chain').outcome).toBe('pass');
      expect(runs[0].report.itemReports[0].results.find((x: any) => x.check === 'authenticity.signatures').outcome).toBe('pass');

      // one changed value in the document's audit trail (written past the append-only trigger, as an intruder would)
      const d = await driveSimple(t, ids, 'archiving', '关于审计链被改动的通知');
      const owner = await ownerClient(t);
      try {
        await owner.query(`ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only`);
        await owner.query(`UPDATE audit_events SET reason = '改动' WHERE document_id = $1 AND seq = 2`, [d.id]);
        await owner.query(`ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only`);
      } finally {
        await owner.end();
      }
      const c = docClient(t);
      const refused = await c.event('archivist', d.id, { type: 'FILE', retention: 'D30' });
      expect(refused.status).toBe(422);
      expect(refused.body.code).toBe('RECORDS_CHECK_FAILED');
      expect(refused.body.checks.map((x: any) => x.check)).toEqual(['authenticity.audit_chain']);
      expect((await t.db.dataSource.query(`SELECT count(*)::int AS n FROM archive_items WHERE document_id = $1`, [d.id]))[0].n).toBe(0);

      const filed = await c.ok(
        c.event('archivist', d.id, { type: 'FILE', retention: 'D30', checksOverride: '审计记录经核实为录入更正，同意归档' }),
      );
      expect(filed.state).toBe('archived');
      const [fileEvent] = await t.db.dataSource.query(`SELECT payload FROM audit_events WHERE document_id = $1 AND event_type = 'FILE'`, [
        d.id,
      ]);
      expect(fileEvent.payload.event.checksOverride).toBe('审计记录经核实为录入更正，同意归档');
      const [log] = await t.db.dataSource.query(
        `SELECT detail FROM archive_access_log WHERE action = 'file' AND detail->>'documentId' = $1`,
        [d.id],
      );
      expect(log.detail).toMatchObject({ checkOutcome: 'fail', overriddenChecks: ['authenticity.audit_chain'] });
    },
    SLOW,
  );

  it(
    'exports a volume with its check report inside, and the exported package passes every check',
    async () => {
      await waitPrepared(
        t,
        items.map((i) => i.id),
      );
      const v = await api(t, 'archivist', '/api/archive/volumes', {
        method: 'POST',
        json: { number: '0001', title: '四性检测测试盒', itemIds: items.map((i) => i.id) },
      });
      expect(v.status).toBe(201);
      volume = v.body;
      const out = join(dir, 'volume.zip');
      const r = await exportVolume(t.db.dataSource, volume.id, 'bagit', out, { scanner });
      expect(r.checkOutcome).toBe('pass');
      const zip = await JSZip.loadAsync(readFileSync(out));
      const root = Object.keys(zip.files)[0].split('/')[0];
      const inside = JSON.parse(await zip.file(`${root}/data/check-report.json`)!.async('string'));
      expect(inside).toMatchObject({ outcome: 'pass', items: 2 });
      expect(inside.itemReports.map((i: any) => i.subject)).toEqual(items.map((i) => i.archivalNumber));
      const docx = await zip.file(`${root}/data/check-report.docx`)!.async('nodebuffer');
      const xml = await (await JSZip.loadAsync(docx)).file('word/document.xml')!.async('string');
      expect(xml).toContain('电子档案四性检测报告');
      expect(xml.replace(/<[^>]+>/g, '')).toContain(items[0].archivalNumber);

      // the package as it left, report included, checked again as a receiving archive would
      const again = await checkBagFile(out, { scanner });
      expect(failedChecks(again)).toEqual([]);
      expect(again.outcome).toBe('pass');
      expect(again.itemReports.every((i) => i.outcome === 'pass')).toBe(true);
    },
    SLOW,
  );

  it(
    'checks on demand: an item, its class (API, kept with the run, DOCX report), refusing what the archivist may not see',
    async () => {
      const one = await api(t, 'archivist', '/api/archive/checks', { method: 'POST', json: { itemId: items[0].id } });
      expect(one.status).toBe(201);
      expect(one.body).toMatchObject({ scope: 'item', subject: items[0].archivalNumber, outcome: 'not_run', items: 1 });
      // the class holds the item filed with an override (its audit chain broken): the class check fails on it
      const cls = await api(t, 'archivist', '/api/archive/checks', { method: 'POST', json: { classCode: items[0].class.code } });
      expect(cls.status).toBe(201);
      expect(cls.body.outcome).toBe('fail');
      expect(cls.body.items).toBe(3);
      const bad = cls.body.report.itemReports.filter((i: any) => i.outcome === 'fail');
      expect(bad.map((i: any) => i.results.filter((x: any) => x.outcome === 'fail').map((x: any) => x.check))).toEqual([
        ['authenticity.audit_chain'],
      ]);
      const list = await api(t, 'archivist', '/api/archive/checks');
      expect(list.body.items.map((r: any) => r.id)).toEqual(expect.arrayContaining([one.body.id, cls.body.id]));
      const docx = await t.request(`/api/archive/checks/${cls.body.id}/report.docx`, { as: 'archivist' });
      expect(docx.status).toBe(200);
      const xml = await (await JSZip.loadAsync(Buffer.from(await docx.arrayBuffer()))).file('word/document.xml')!.async('string');
      expect(xml.replace(/<[^>]+>/g, '')).toContain('业务行为审计链完整可验证');
      expect(
        (await api(t, 'archivist', '/api/archive/checks', { method: 'POST', json: { itemId: items[0].id, classCode: 'x' } })).status,
      ).toBe(400);
      expect((await api(t, 'chief', '/api/archive/checks')).status).toBe(403);
    },
    SLOW,
  );

  it(
    'receives the exported volume into a second, empty database: every check passes, numbers kept, hashes and chains intact; the same package again is refused whole',
    async () => {
      const b = await startTestApp();
      try {
        const pkg = readFileSync(join(dir, 'volume.zip'));
        const res = await b.request('/api/archive/receipts?name=volume.zip', {
          as: 'archivist',
          method: 'POST',
          headers: { 'content-type': 'application/zip' },
          body: pkg,
        });
        const receipt = await res.json();
        expect(res.status).toBe(201);
        expect(receipt).toMatchObject({ status: 'accepted', numbering: 'keep', refused: [] });
        expect(receipt.accepted.map((a: any) => [a.sourceArchivalNumber, a.archivalNumber])).toEqual(
          items.map((i) => [i.archivalNumber, i.archivalNumber]),
        );
        const run = await api(b, 'archivist', `/api/archive/checks/${receipt.checkRunId}`);
        expect(run.body.report.counts.fail).toBe(0);
        // the received items' files keep their bytes, and re-exported they pass every check again
        const rows = await b.db.dataSource.query(
          `SELECT i.archival_number, f.name, f.sha256 FROM archive_items i JOIN archive_files f ON f.item_id = i.id WHERE f.name = 'item.docx' ORDER BY 1`,
        );
        const sent = await t.db.dataSource.query(
          `SELECT i.archival_number, f.sha256 FROM archive_items i JOIN archive_files f ON f.item_id = i.id WHERE f.name = 'item.docx' AND i.id = ANY($1::uuid[]) ORDER BY 1`,
          [items.map((i) => i.id)],
        );
        expect(rows.map((r: any) => [r.archival_number, r.sha256])).toEqual(sent.map((r: any) => [r.archival_number, r.sha256]));
        const again = await api(b, 'archivist', '/api/archive/checks', { method: 'POST', json: { classCode: items[0].class.code } });
        expect(again.body.report.counts.fail).toBe(0);
        expect(
          again.body.report.itemReports.map((i: any) => i.results.find((x: any) => x.check === 'authenticity.audit_chain').outcome),
        ).toEqual(['pass', 'pass']);

        const twice = await (
          await b.request('/api/archive/receipts?name=volume.zip', {
            as: 'archivist',
            method: 'POST',
            headers: { 'content-type': 'application/zip' },
            body: pkg,
          })
        ).json();
        expect(twice.status).toBe('refused');
        expect(twice.accepted).toEqual([]);
        expect(twice.refused[0].reasons.join()).toContain('档号唯一');
        expect((await b.db.dataSource.query(`SELECT count(*)::int AS n FROM archive_items`))[0].n).toBe(2);

        // renumbered into this archive's class: the mapping is recorded, the numbers continue the class without a gap
        const renumbered = await (
          await b.request('/api/archive/receipts?name=volume.zip&numbering=renumber&unitCode=DAG', {
            as: 'archivist',
            method: 'POST',
            headers: { 'content-type': 'application/zip' },
            body: pkg,
          })
        ).json();
        expect(renumbered.status).toBe('accepted');
        expect(renumbered.accepted.map((a: any) => a.archivalNumber)).toEqual([
          items[0].archivalNumber.replace('BGS-0001', 'DAG-0001'),
          items[1].archivalNumber.replace('BGS-0002', 'DAG-0002'),
        ]);
        const [meta] = await b.db.dataSource.query(
          `SELECT metadata, source_archival_number FROM archive_items WHERE archival_number = $1`,
          [renumbered.accepted[0].archivalNumber],
        );
        expect(meta.source_archival_number).toBe(items[0].archivalNumber);
        expect(meta.metadata.received.sourceArchivalNumber).toBe(items[0].archivalNumber);

        // received into a volume: the accepted items follow the volume's own, in archival-number order
        const kept = await b.db.dataSource.query(`SELECT id FROM archive_items WHERE archival_number = ANY($1) ORDER BY archival_number`, [
          items.map((i) => i.archivalNumber),
        ]);
        const vol = await api(b, 'archivist', '/api/archive/volumes', {
          method: 'POST',
          json: { number: 'RX-01', title: '接收卷', itemIds: kept.map((k: any) => k.id) },
        });
        expect(vol.status).toBe(201);
        const into = await (
          await b.request(`/api/archive/receipts?name=volume.zip&numbering=renumber&unitCode=JSJ&volumeId=${vol.body.id}`, {
            as: 'archivist',
            method: 'POST',
            headers: { 'content-type': 'application/zip' },
            body: pkg,
          })
        ).json();
        expect(into.status).toBe('accepted');
        const inVolume = await api(b, 'archivist', `/api/archive/volumes/${vol.body.id}`);
        expect(inVolume.body.items.map((i: any) => i.archivalNumber)).toEqual([
          ...items.map((i) => i.archivalNumber),
          ...into.accepted.map((a: any) => a.archivalNumber),
        ]);
        // another fonds does not go into this volume: refused before anything is registered
        const before = (await b.db.dataSource.query(`SELECT count(*)::int AS n FROM archive_items`))[0].n;
        const wrong = await b.request(`/api/archive/receipts?name=volume.zip&numbering=renumber&fondsCode=0999&volumeId=${vol.body.id}`, {
          as: 'archivist',
          method: 'POST',
          headers: { 'content-type': 'application/zip' },
          body: pkg,
        });
        expect(wrong.status).toBe(400);
        expect((await wrong.json()).detail).toContain('RX-01');
        expect((await b.db.dataSource.query(`SELECT count(*)::int AS n FROM archive_items`))[0].n).toBe(before);

        // a changed byte: nothing of the package is imported
        const tampered = Buffer.from(pkg);
        // a byte of the first item's DOCX (stored in the bag as is): the name of its main part inside it
        const at = tampered.indexOf(Buffer.from('word/document.xml'));
        expect(at).toBeGreaterThan(0);
        tampered[at + 5] ^= 1;
        const refused = await (
          await b.request('/api/archive/receipts?name=tampered.zip&numbering=renumber&unitCode=ZHK', {
            as: 'archivist',
            method: 'POST',
            headers: { 'content-type': 'application/zip' },
            body: tampered,
          })
        ).json();
        expect(refused.status).toBe('refused');
        expect(refused.accepted).toEqual([]);
        expect(refused.refused.map((r: any) => r.sourceArchivalNumber)).toEqual(items.map((i) => i.archivalNumber));
        expect(refused.refused[0].reasons.join()).toContain('内容文件固化信息');
        expect((await b.db.dataSource.query(`SELECT count(*)::int AS n FROM archive_items WHERE unit_code = 'ZHK'`))[0].n).toBe(0);
      } finally {
        await b.close();
      }
    },
    SLOW,
  );

  it(
    'a sealed document: filing keeps its sealed OFD and verifies the seal; one byte changed in it fails the seal check naming the seal; an infected file refuses the filing until overridden',
    async () => {
      const q = (sql: string, params: unknown[]) => t.db.dataSource.query(sql, params);
      const sealOf = (report: any) => report.itemReports[0].results.find((x: any) => x.check === 'authenticity.seals');
      const c = docClient(t);
      const d = await driveSimple(t, ids, 'archiving', '关于电子印章文件归档的通知');
      expect((await c.event('seal_keeper', d.id, { type: 'APPLY_SEAL', issuerUnitId: ids.committee })).status).toBe(200);
      await c.ok(c.event('archivist', d.id, { type: 'FILE', retention: 'D10' }));
      const item = await itemOf(t, d.id);
      const [use] = await q(`SELECT signed_ofd FROM seal_uses WHERE document_id = $1`, [d.id]);
      const [stored] = await q(`SELECT id, role, data FROM archive_files WHERE item_id = $1 AND name = 'original-sealed.ofd'`, [item.id]);
      expect(stored.role).toBe('original');
      expect(Buffer.compare(stored.data, use.signed_ofd)).toBe(0);
      const [run] = await q(`SELECT report FROM archive_check_runs WHERE scope = 'filing' AND subject = $1`, [item.archivalNumber]);
      expect(sealOf(run.report)).toMatchObject({ outcome: 'pass' });
      expect(sealOf(run.report).evidence[0].measured).toContain('original-sealed.ofd 的电子签章 中共××区委办公室');

      // the package carries it: checked on demand (laid out as an export), the seal passes
      await waitPrepared(t, [item.id]);
      const ok = await api(t, 'archivist', '/api/archive/checks', { method: 'POST', json: { itemId: item.id } });
      expect(sealOf(ok.body.report).outcome).toBe('pass');
      const files = ok.body.report.itemReports[0].results.find((x: any) => x.check === 'authenticity.fixity').evidence;
      expect(files.map((e: any) => e.measured)).toEqual(expect.arrayContaining(['SHA-256 original.ofd', 'SHA-256 original-sealed.ofd']));

      // one byte of a page's text changed in the stored sealed OFD (its checksum recomputed, as an intruder would)
      const part = 'Doc_0/Pages/Page_0/Content.xml';
      const zip = await JSZip.loadAsync(stored.data);
      const content = Buffer.from(await zip.file(part)!.async('uint8array'));
      const at = content.indexOf('>', content.length >> 1) + 1;
      content[at] = content[at] === 0x30 ? 0x31 : 0x30;
      zip.file(part, content);
      const changed = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
      await t.db.dataSource.transaction(async (m) => {
        await m.query(`SET LOCAL session_replication_role = replica`);
        await m.query(`UPDATE archive_files SET data = $2, size = $3, sha256 = $4 WHERE id = $1`, [
          stored.id,
          changed,
          changed.length,
          createHash('sha256').update(changed).digest('hex'),
        ]);
      });
      const bad = await api(t, 'archivist', '/api/archive/checks', { method: 'POST', json: { itemId: item.id } });
      expect(bad.body.outcome).toBe('fail');
      expect(failedChecks(bad.body.report)).toEqual(['authenticity.seals']);
      expect(sealOf(bad.body.report).evidence[0]).toMatchObject({
        measured: expect.stringContaining('中共××区委办公室'),
        found: expect.stringContaining(`${part}: digest`),
      });

      // the virus scan runs at filing: an infected file (here in place of the sealed OFD) refuses it until overridden
      const d2 = await driveSimple(t, ids, 'archiving', '关于病毒检测的通知');
      expect((await c.event('seal_keeper', d2.id, { type: 'APPLY_SEAL', issuerUnitId: ids.committee })).status).toBe(200);
      await t.db.dataSource.transaction(async (m) => {
        await m.query(`SET LOCAL session_replication_role = replica`);
        await m.query(`UPDATE seal_uses SET signed_ofd = $2 WHERE document_id = $1`, [d2.id, EICAR]);
      });
      process.env.GONGWEN_CLAMAV_DB = SIGNATURES;
      try {
        const refused = await c.event('archivist', d2.id, { type: 'FILE', retention: 'D10' });
        expect(refused.status).toBe(422);
        expect(refused.body.code).toBe('RECORDS_CHECK_FAILED');
        const virus = refused.body.checks.filter((x: any) => x.check === 'security.virus_scan');
        expect(virus).toHaveLength(1);
        expect(virus[0].found).toContain('Gongwen.Test.EICAR');
        await c.ok(c.event('archivist', d2.id, { type: 'FILE', retention: 'D10', checksOverride: '经核实为测试文件，同意归档' }));
      } finally {
        delete process.env.GONGWEN_CLAMAV_DB;
      }
      const [log] = await q(`SELECT detail FROM archive_access_log WHERE action = 'file' AND detail->>'documentId' = $1`, [d2.id]);
      expect(log.detail.overriddenChecks).toContain('security.virus_scan');
      expect(log.detail.checksOverride).toBe('经核实为测试文件，同意归档');
    },
    SLOW,
  );
});
