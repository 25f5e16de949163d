/**
 * Runs every registered check over a package, one item at a time: the item's files are read, the item checks
 * run, the files are written to a scratch directory for the virus scanner and released; then the scanner runs
 * once over the scratch directory and the package checks run. Memory holds one item's files at a time.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ITEM_OPTIONAL_FILES, ITEM_RECORD_FILES } from './checks.js';
import type { VirusScanner } from './clamav.js';
import { Dat46Validator } from './dat46.js';
import type { PackageItem, RecordPackage } from './package.js';
import type { Spool } from './spool.js';
import {
  CHECK_GROUP_LABELS,
  registeredChecks,
  worst,
  type CheckContext,
  type CheckGroup,
  type CheckResult,
  type ItemFacts,
  type Outcome,
} from './types.js';

export interface CheckRunOptions {
  scanner?: VirusScanner | null;
  existingArchivalNumbers?: ReadonlySet<string>;
  /**
   * false: item checks only; a list: only those package checks (one item at filing, where the register and numbering
   * are the database's but the virus scan still runs).
   */
  packageChecks?: boolean | readonly string[];
  /** Root certificates (DER) trusted for electronic seals (the deployment's seal authorities). */
  sealRoots?: readonly Uint8Array[];
  /**
   * The caller's spool, where every item file is written as read (and kept: receiving registers the items from it,
   * so each file of the zip is read, inflated and hashed once; `pkg.computed` keeps the digests). The virus
   * scanner, when there is one, gets its own scratch directory of files, removed afterwards.
   */
  spool?: Spool;
  /** Called after each item (progress for the CLI and the benchmark). */
  onItem?: (done: number, total: number) => void;
}

export interface ItemReport {
  dir: string;
  subject: string;
  outcome: Outcome;
  results: CheckResult[];
}

export interface CheckReport {
  /** e.g. 'gongwen-check-report-v1' */
  schema: string;
  package: string;
  startedAt: string;
  finishedAt: string;
  outcome: Outcome;
  items: number;
  counts: Record<Outcome, number>;
  checks: {
    id: string;
    group: CheckGroup;
    groupLabel: string;
    label: string;
    description: string;
    scope: string;
    counts: Record<Outcome, number>;
  }[];
  packageResults: CheckResult[];
  itemReports: ItemReport[];
}

/** The package check whose DA/T 46 records the engine validates while it checks the items. */
const DAT46_CHECK = 'integrity.dat46_metadata';

const zero = (): Record<Outcome, number> => ({ pass: 0, fail: 0, not_applicable: 0, not_run: 0 });

export async function runChecks(pkg: RecordPackage, opts: CheckRunOptions = {}): Promise<CheckReport> {
  const startedAt = new Date().toISOString();
  const checks = registeredChecks();
  await pkg.loadTags();
  const unavailable = opts.scanner ? await opts.scanner.unavailable() : '未配置病毒扫描程序';
  const scratch = unavailable ? null : await mkdtemp(join(tmpdir(), 'gongwen-check-'));
  const dat46 =
    checks.some((c) => c.id === DAT46_CHECK && c.scope === 'package') && runsPackageCheck(opts.packageChecks, DAT46_CHECK)
      ? new Dat46Validator()
      : null;
  const ctx: CheckContext = {
    pkg,
    existingArchivalNumbers: opts.existingArchivalNumbers,
    items: [],
    sealRoots: opts.sealRoots,
    dat46: dat46 ?? undefined,
  };
  const byDir = new Map<string, ItemReport>();
  try {
    let done = 0;
    for (const dir of pkg.itemDirs) {
      const item = await pkg.loadItem(dir);
      const results: CheckResult[] = [];
      for (const c of checks) {
        if (c.scope !== 'item') continue;
        let v;
        try {
          v = await c.run(item, ctx);
        } catch (e) {
          v = {
            outcome: 'fail' as const,
            evidence: [{ measured: c.label, expected: '检测完成', found: `检测出错：${(e as Error).message}` }],
          };
        }
        results.push({ check: c.id, group: c.group, label: c.label, subject: item.subject, ...v });
      }
      const f = facts(item);
      ctx.items!.push(f);
      if (dat46 && !f.disposed && f.dat46 !== null) {
        dat46.add(f.dir, f.dat46);
        // the validator has the record now: the facts keep only that there is one (1,000 records held to the end
        // of the check were ≈10 MB of two-byte strings)
        f.dat46 = '';
      }
      byDir.set(dir, { dir, subject: item.subject, outcome: 'pass', results });
      if (scratch) for (const [rel, data] of item.files) await put(scratch, `${dir}/${rel}`, data);
      opts.spool?.write([...item.files].map(([rel, data]) => [`${dir}/${rel}`, data]));
      pkg.release(item);
      opts.onItem?.(++done, pkg.itemDirs.length);
    }
    // the package's own payload (register, catalogue, reports) is hashed and scanned too
    let scanned = 0;
    for (const path of pkg.source.entries.keys()) {
      if (!path.startsWith('data/') || pkg.computed.has(path) || pkg.source.entries.get(path)!.encrypted) continue;
      const data = await pkg.read(path).catch(() => null);
      if (data && scratch) await put(scratch, path, data);
    }
    if (scratch && !unavailable) {
      scanned = pkg.source.entries.size;
      const infected = await opts.scanner!.scanDirectory(scratch);
      ctx.scan = { ran: true, engine: await opts.scanner!.engine(), infected, scanned };
    } else ctx.scan = { ran: false, reason: unavailable! };

    const packageResults: CheckResult[] = [];
    for (const c of checks) {
      if (c.scope !== 'package' || !runsPackageCheck(opts.packageChecks, c.id)) continue;
      let v;
      try {
        v = await c.run(ctx);
      } catch (e) {
        v = {
          outcome: 'fail' as const,
          evidence: [{ measured: c.label, expected: '检测完成', found: `检测出错：${(e as Error).message}` }],
        };
      }
      packageResults.push({ check: c.id, group: c.group, label: c.label, subject: null, outcome: v.outcome, evidence: v.evidence });
      for (const [dir, iv] of ('items' in v && v.items) || []) {
        const r = byDir.get(dir);
        if (r) r.results.push({ check: c.id, group: c.group, label: c.label, subject: r.subject, ...iv });
      }
    }
    const itemReports = [...byDir.values()].map((r) => ({ ...r, outcome: worst(r.results.map((x) => x.outcome)) }));
    const counts = zero();
    const perCheck = new Map(checks.map((c) => [c.id, zero()]));
    for (const r of [...packageResults, ...itemReports.flatMap((i) => i.results)]) {
      counts[r.outcome]++;
      perCheck.get(r.check)![r.outcome]++;
    }
    return {
      schema: 'gongwen-check-report-v1',
      package: pkg.name,
      startedAt,
      finishedAt: new Date().toISOString(),
      outcome: worst([...packageResults.map((r) => r.outcome), ...itemReports.map((i) => i.outcome)]),
      items: itemReports.length,
      counts,
      checks: checks.map((c) => ({
        id: c.id,
        group: c.group,
        groupLabel: CHECK_GROUP_LABELS[c.group],
        label: c.label,
        description: c.description,
        scope: c.scope,
        counts: perCheck.get(c.id)!,
      })),
      packageResults,
      itemReports,
    };
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}

function runsPackageCheck(which: CheckRunOptions['packageChecks'], id: string): boolean {
  return which === undefined || which === true || (Array.isArray(which) && which.includes(id));
}

function facts(item: PackageItem): ItemFacts {
  const an = item.metadata?.archivalNumber;
  const files = Array.isArray(item.metadata?.files) ? item.metadata!.files : [];
  const disposed = item.metadata?.status === 'disposed';
  return {
    dir: item.dir,
    subject: item.subject,
    archivalNumber: typeof an === 'string' ? an : null,
    dat46: item.files.get('metadata.xml')?.toString('utf8') ?? null,
    disposed,
    expected: [
      ...(disposed ? ['metadata.json'] : ITEM_RECORD_FILES),
      ...ITEM_OPTIONAL_FILES,
      ...files.map((f) => (f.role === 'attachment' ? `attachments/${f.name}` : f.name)),
    ],
  };
}

/**
 * Writes a file into the scratch directory. Synchronously: the files are small and land in the page cache, and
 * two thread-pool round trips per file (mkdir, write) cost more wall time than the writes on a busy machine.
 */
async function put(root: string, path: string, data: Buffer): Promise<void> {
  const target = join(root, path);
  if (!target.startsWith(root)) return; // a path escaping the scratch directory is not written (the structure check reports it)
  const dir = dirname(target);
  if (!made.has(dir)) {
    mkdirSync(dir, { recursive: true });
    made.add(dir);
    if (made.size > 10000) made.clear();
  }
  writeFileSync(target, data);
}

/** Directories made already (a bounded memo: only saves repeated mkdir calls). */
const made = new Set<string>();
