/**
 * The virus scan (安全性: 病毒检测) with ClamAV: its daemon clamd when a socket answers (autoScanner), else
 * `clamscan`. "Configured" means a signature database exists: the
 * one named by GONGWEN_CLAMAV_DB (a file or directory), else the system's (/var/lib/clamav, kept by freshclam).
 * Without the program or a database the check is not run — never passed.
 */
import { execFile } from 'node:child_process';
import { createReadStream, existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { createConnection, type Socket } from 'node:net';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface VirusScanner {
  /** Why the scanner cannot run, or null when it can. */
  unavailable(): Promise<string | null>;
  engine(): Promise<string>;
  /** Scans a directory tree; returns the infected files (relative paths) with the signature found. */
  scanDirectory(dir: string): Promise<Map<string, string>>;
}

export interface ClamscanOptions {
  binary?: string;
  /** A signature file (.hdb, .ndb, .cvd …) or a directory of them. */
  database?: string;
}

const SYSTEM_DB = '/var/lib/clamav';
const DB_FILE = /\.(cvd|cld|hdb|hsb|ndb|ldb|cdb|mdb|msb|hdu|ndu)$/;

export function clamscan(opts: ClamscanOptions = {}): VirusScanner {
  const binary = opts.binary ?? 'clamscan';
  const database = opts.database ?? process.env.GONGWEN_CLAMAV_DB ?? SYSTEM_DB;
  const args = ['--database', database];
  let version: string | null = null;
  return {
    async unavailable() {
      try {
        version = (await run(binary, ['--version'], { timeout: 30000 })).stdout.trim();
      } catch {
        return `未安装 ClamAV（找不到 ${binary}）`;
      }
      if (!existsSync(database)) return `病毒库 ${database} 不存在`;
      const hasDb = statSync(database).isDirectory() ? readdirSync(database).some((f) => DB_FILE.test(f)) : DB_FILE.test(database);
      return hasDb ? null : `病毒库 ${database} 中没有特征库文件（未运行 freshclam，也未配置 GONGWEN_CLAMAV_DB）`;
    },
    async engine() {
      return `${version ?? binary}（特征库 ${database}）`;
    },
    async scanDirectory(dir) {
      const infected = new Map<string, string>();
      let stdout = '';
      try {
        stdout = (await run(binary, [...args, '--recursive', '--infected', '--no-summary', '--stdout', dir], { maxBuffer: 64 << 20 }))
          .stdout;
      } catch (e) {
        const err = e as { code?: number; stdout?: string; stderr?: string };
        // exit 1: something was found; anything else is an error of the scan itself
        if (err.code !== 1) throw new Error(`clamscan failed (${err.code}): ${err.stderr ?? ''}`.trim());
        stdout = err.stdout ?? '';
      }
      for (const line of stdout.split('\n')) {
        const m = /^(.*): (.+) FOUND$/.exec(line.trim());
        if (m) infected.set(relative(dir, m[1]).split('\\').join('/'), m[2]);
      }
      return infected;
    },
  };
}

// ---------------------------------------------------------------------------------------------- clamd

export interface ClamdOptions {
  /**
   * Where clamd listens: a Unix socket path, or `tcp://host:port`. Default: GONGWEN_CLAMD_SOCKET, else the
   * LocalSocket of /etc/clamav/clamd.conf, else Debian's /run/clamav/clamd.ctl.
   */
  socket?: string;
  /** Files streamed at once (clamd scans them on its own threads). */
  concurrency?: number;
}

const CLAMD_CONF = '/etc/clamav/clamd.conf';
const DEBIAN_SOCKET = '/run/clamav/clamd.ctl';

/** The clamd socket configured for this machine, or null when none is (GONGWEN_CLAMD_SOCKET=none turns it off). */
export function clamdSocket(env: NodeJS.ProcessEnv = process.env): string | null {
  const set = env.GONGWEN_CLAMD_SOCKET?.trim();
  if (set) return set === 'none' ? null : set;
  try {
    const m = /^\s*LocalSocket\s+(\S+)/m.exec(readFileSync(CLAMD_CONF, 'utf8'));
    if (m) return m[1];
  } catch {
    /* no clamd.conf: clamd is not installed here */
  }
  return DEBIAN_SOCKET;
}

function connectClamd(socket: string): Socket {
  const tcp = /^tcp:\/\/([^:/]+):(\d+)\/?$/.exec(socket);
  return tcp ? createConnection({ host: tcp[1], port: Number(tcp[2]) }) : createConnection({ path: socket });
}

/** One clamd command on its own connection ("z" form: NUL-terminated); resolves with clamd's answer. */
function clamdCommand(socket: string, command: string, body?: (s: Socket) => Promise<void>, timeoutMs = 120000): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connectClamd(socket);
    const chunks: Buffer[] = [];
    s.setTimeout(timeoutMs, () => s.destroy(new Error(`clamd did not answer ${command} in ${timeoutMs} ms`)));
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('error', reject);
    s.on('close', () => resolve(Buffer.concat(chunks).toString('utf8').replace(/\0+$/, '').trim()));
    s.on('connect', () => {
      s.write(`z${command}\0`);
      if (!body) return;
      body(s).then(
        () => undefined,
        (e: Error) => s.destroy(e),
      );
    });
  });
}

/** Streams a file to clamd (INSTREAM: length-prefixed chunks, a zero length to end). */
async function streamFile(s: Socket, path: string): Promise<void> {
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 16 })) {
    const len = Buffer.alloc(4);
    len.writeUInt32BE((chunk as Buffer).length);
    if (!s.write(len) || !s.write(chunk as Buffer)) await new Promise((r) => s.once('drain', r));
  }
  s.write(Buffer.alloc(4));
}

async function* walk(dir: string): AsyncGenerator<string> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* walk(p);
    else if (e.isFile()) yield p;
  }
}

/**
 * ClamAV's daemon: the signatures stay loaded between scans, so a scan costs the files' reading, not the
 * seconds `clamscan` spends loading a real signature database each time. Files are streamed to it (INSTREAM), so
 * the daemon needs no access to the scratch directory (which holds classified records and stays private).
 */
export function clamd(opts: ClamdOptions = {}): VirusScanner {
  const socket = opts.socket ?? clamdSocket();
  const concurrency = opts.concurrency ?? 4;
  let version: string | null = null;
  return {
    async unavailable() {
      if (!socket) return '未配置 clamd 套接字';
      try {
        if ((await clamdCommand(socket, 'PING', undefined, 10000)) !== 'PONG') return `clamd（${socket}）未应答 PING`;
        version = await clamdCommand(socket, 'VERSION', undefined, 10000);
        return null;
      } catch (e) {
        return `无法连接 clamd（${socket}）：${(e as Error).message}`;
      }
    },
    async engine() {
      return `${version ?? 'clamd'}（守护进程 ${socket}）`;
    },
    async scanDirectory(dir) {
      const infected = new Map<string, string>();
      const files = walk(dir);
      const worker = async () => {
        for (;;) {
          const next = await files.next();
          if (next.done) return;
          const answer = await clamdCommand(socket!, 'INSTREAM', (s) => streamFile(s, next.value));
          const found = /^stream: (.+) FOUND$/.exec(answer);
          if (found) infected.set(relative(dir, next.value).split('\\').join('/'), found[1]);
          else if (answer !== 'stream: OK') throw new Error(`clamd could not scan ${relative(dir, next.value)}: ${answer}`);
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
      return infected;
    },
  };
}

/**
 * The scanner to use: clamd when its socket answers, else `clamscan` (each run reloads the signatures). Which one
 * ran is named in the check's evidence.
 */
export function autoScanner(opts: { clamd?: ClamdOptions; clamscan?: ClamscanOptions } = {}): VirusScanner {
  const daemon = clamd(opts.clamd);
  const fallback = clamscan(opts.clamscan);
  let chosen: VirusScanner | null = null;
  let daemonWhy: string | null = null;
  return {
    async unavailable() {
      daemonWhy = await daemon.unavailable();
      chosen = daemonWhy ? fallback : daemon;
      const why = await chosen.unavailable();
      return why && daemonWhy ? `${daemonWhy}；${why}` : why;
    },
    async engine() {
      return (chosen ?? fallback).engine();
    },
    async scanDirectory(dir) {
      if (!chosen) await this.unavailable();
      return chosen!.scanDirectory(dir);
    },
  };
}
