/**
 * The virus scan of the four checks with the real `clamscan` (Debian's clamav): a local signature file that matches
 * the EICAR test file stands in for the signature updates the machines do not get.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createServer, type Server } from 'node:net';
import {
  RecordPackage,
  autoScanner,
  clamd,
  clamdSocket,
  clamscan,
  memorySource,
  runChecks,
  sha256,
  type CheckReport,
} from '#gongwen/archive/checks/index';
import { fixtureBag, fixtureItemDir } from '#gongwen/archive/checks/fixture';

const SIGNATURES = resolve('test/archive/fixtures/eicar-test.hdb');
// the EICAR test file, assembled here so that the repository holds no copy of it
const EICAR = Buffer.from(['X5O!P%@AP[4\\PZX54(P^)7CC)7}$', 'EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'].join(''), 'latin1');

const d2 = fixtureItemDir(2);
const scanOf = (r: CheckReport) => ({
  pkg: r.packageResults.find((x) => x.check === 'security.virus_scan')!,
  items: r.itemReports.map((i) => i.results.find((x) => x.check === 'security.virus_scan')!.outcome),
});

describe('security.virus_scan with ClamAV', () => {
  it('passes a clean package and fails the item carrying the EICAR test file', async () => {
    const scanner = clamscan({ database: SIGNATURES });
    expect(await scanner.unavailable()).toBeNull();
    const clean = scanOf(await runChecks(new RecordPackage(memorySource(await fixtureBag({ items: 3 })), 'clean'), { scanner }));
    expect(clean.pkg.outcome).toBe('pass');
    expect(clean.items).toEqual(['pass', 'pass', 'pass']);
    expect(clean.pkg.evidence[0].found).toMatch(/ClamAV/);

    const infected = await fixtureBag({
      items: 3,
      before: (f) => {
        f.set(`${d2}/attachments/eicar.txt`, EICAR);
        const m = JSON.parse(f.get(`${d2}/metadata.json`)!.toString());
        m.files.push({ name: 'eicar.txt', role: 'attachment', mediaType: 'text/plain', size: EICAR.length, sha256: sha256(EICAR) });
        f.set(`${d2}/metadata.json`, Buffer.from(JSON.stringify(m)));
      },
    });
    const r = await runChecks(new RecordPackage(memorySource(infected), 'infected'), { scanner });
    const scan = scanOf(r);
    expect(scan.pkg.outcome).toBe('fail');
    expect(scan.items).toEqual(['pass', 'fail', 'pass']);
    expect(scan.pkg.evidence[0]).toMatchObject({
      measured: `扫描 ${d2}/attachments/eicar.txt`,
      found: expect.stringContaining('Gongwen.Test.EICAR'),
    });
    // the one thing changed is caught by the scan alone: the file is declared, hashed and in the manifest
    const failed = new Set(
      [...r.packageResults, ...r.itemReports.flatMap((i) => i.results)].filter((x) => x.outcome === 'fail').map((x) => x.check),
    );
    expect([...failed]).toEqual(['security.virus_scan']);
  });

  it('finds the EICAR file inside a DOCX (ClamAV looks into zips)', async () => {
    const JSZip = (await import('jszip')).default;
    const files = await fixtureBag({
      items: 1,
      before: async (f) => {
        const dir = fixtureItemDir(1);
        const z = await JSZip.loadAsync(f.get(`${dir}/item.docx`)!);
        z.file('word/media/eicar.com', EICAR);
        const docx = await z.generateAsync({ type: 'nodebuffer' });
        f.set(`${dir}/item.docx`, docx);
        const m = JSON.parse(f.get(`${dir}/metadata.json`)!.toString());
        Object.assign(m.files[0], { size: docx.length, sha256: sha256(docx) });
        f.set(`${dir}/metadata.json`, Buffer.from(JSON.stringify(m)));
      },
    });
    const r = await runChecks(new RecordPackage(memorySource(files), 'docx'), { scanner: clamscan({ database: SIGNATURES }) });
    expect(scanOf(r).items).toEqual(['fail']);
  });

  it('is not run — never passed — without a signature database or without the program', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'gw-clamdb-'));
    try {
      for (const scanner of [clamscan({ database: empty }), clamscan({ binary: 'gongwen-no-such-clamscan', database: SIGNATURES })]) {
        const r = await runChecks(new RecordPackage(memorySource(await fixtureBag({ items: 1 })), 'p'), { scanner });
        const scan = scanOf(r);
        expect(scan.pkg.outcome).toBe('not_run');
        expect(scan.items).toEqual(['not_run']);
        expect(r.outcome).toBe('not_run');
      }
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('uses clamd when its socket answers and clamscan otherwise (the machine here has no clamd: clamscan)', async () => {
    // GONGWEN_CLAMD_SOCKET wins over clamd.conf; "none" turns the daemon off
    expect(clamdSocket({ GONGWEN_CLAMD_SOCKET: '/tmp/x.ctl' })).toBe('/tmp/x.ctl');
    expect(clamdSocket({ GONGWEN_CLAMD_SOCKET: 'none' })).toBeNull();
    const socket = clamdSocket();
    const daemonUp = socket !== null && (await clamd({ socket }).unavailable()) === null;
    const scanner = autoScanner({ clamscan: { database: SIGNATURES } });
    expect(await scanner.unavailable()).toBeNull();
    expect(await scanner.engine()).toMatch(daemonUp ? /守护进程/ : /特征库/);
    const r = await runChecks(new RecordPackage(memorySource(await infectedBag()), 'auto'), { scanner });
    expect(scanOf(r).items).toEqual(['pass', 'fail', 'pass']);

    // a socket that nobody serves: clamscan, and the evidence says so
    const absent = autoScanner({ clamd: { socket: join(tmpdir(), 'gongwen-no-clamd.ctl') }, clamscan: { database: SIGNATURES } });
    const r2 = await runChecks(new RecordPackage(memorySource(await infectedBag()), 'fallback'), { scanner: absent });
    expect(scanOf(r2).items).toEqual(['pass', 'fail', 'pass']);
    expect(await absent.engine()).toMatch(/clamscan|ClamAV.*特征库/);
    expect(await absent.engine()).not.toMatch(/守护进程/);
  });

  it('speaks clamd’s protocol (PING, VERSION, INSTREAM in length-prefixed chunks; a stand-in daemon, clamd is not installed here)', async () => {
    // The stand-in answers as clamd does and reports a hit when the streamed bytes hold the EICAR string: what it
    // checks is the client's framing (z-commands, chunk lengths, the zero-length end) and its reading of answers.
    const dir = await mkdtemp(join(tmpdir(), 'gw-clamd-'));
    const path = join(dir, 'clamd.ctl');
    const streamed: number[] = [];
    const server: Server = createServer((s) => {
      let buf = Buffer.alloc(0);
      let streaming = false;
      const body: Buffer[] = [];
      s.on('data', (c: Buffer) => {
        buf = Buffer.concat([buf, c]);
        for (;;) {
          if (!streaming) {
            const end = buf.indexOf(0);
            if (end < 0) return;
            const cmd = buf.subarray(0, end).toString();
            buf = buf.subarray(end + 1);
            if (cmd === 'zPING') return void s.end('PONG\0');
            if (cmd === 'zVERSION') return void s.end('ClamAV 1.4.6/27000/stand-in\0');
            if (cmd !== 'zINSTREAM') return void s.end('UNKNOWN COMMAND\0');
            streaming = true;
          }
          if (buf.length < 4) return;
          const len = buf.readUInt32BE(0);
          if (len === 0) {
            const data = Buffer.concat(body);
            streamed.push(data.length);
            return void s.end(data.includes(EICAR) ? 'stream: Gongwen.Test.EICAR FOUND\0' : 'stream: OK\0');
          }
          if (buf.length < 4 + len) return;
          body.push(Buffer.from(buf.subarray(4, 4 + len)));
          buf = buf.subarray(4 + len);
        }
      });
    });
    await new Promise<void>((r) => server.listen(path, r));
    try {
      const scanner = clamd({ socket: path });
      expect(await scanner.unavailable()).toBeNull();
      expect(await scanner.engine()).toBe(`ClamAV 1.4.6/27000/stand-in（守护进程 ${path}）`);
      const r = await runChecks(new RecordPackage(memorySource(await infectedBag()), 'clamd'), { scanner });
      expect(scanOf(r).items).toEqual(['pass', 'fail', 'pass']);
      expect(scanOf(r).pkg.evidence[0].found).toContain('Gongwen.Test.EICAR');
      expect(streamed.length).toBeGreaterThan(10);
    } finally {
      server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/** Three items, the second carrying the EICAR test file as a declared attachment. */
function infectedBag() {
  return fixtureBag({
    items: 3,
    before: (f) => {
      f.set(`${d2}/attachments/eicar.txt`, EICAR);
      const m = JSON.parse(f.get(`${d2}/metadata.json`)!.toString());
      m.files.push({ name: 'eicar.txt', role: 'attachment', mediaType: 'text/plain', size: EICAR.length, sha256: sha256(EICAR) });
      f.set(`${d2}/metadata.json`, Buffer.from(JSON.stringify(m)));
    },
  });
}
