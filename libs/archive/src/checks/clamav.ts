/**
 * The virus scan (安全性: 病毒检测) with ClamAV's `clamscan`. "Configured" means a signature database exists: the
 * one named by GONGWEN_CLAMAV_DB (a file or directory), else the system's (/var/lib/clamav, kept by freshclam).
 * Without the program or a database the check is not run — never passed.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { relative } from 'node:path';
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
