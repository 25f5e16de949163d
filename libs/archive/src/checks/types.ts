/**
 * The check engine's vocabulary (四性检测, DA/T 70-2018): four groups, named checks, four outcomes, and the
 * evidence each result carries (what was measured, what was expected, what was found). A registry holds the
 * checks so that others plug in later (`registerCheck` with an existing id replaces that check in place).
 */
import type { RecordPackage, PackageItem } from './package.js';

export const CHECK_GROUPS = ['authenticity', 'integrity', 'usability', 'security'] as const;
export type CheckGroup = (typeof CHECK_GROUPS)[number];
export const CHECK_GROUP_LABELS: Record<CheckGroup, string> = {
  authenticity: '真实性',
  integrity: '完整性',
  usability: '可用性',
  security: '安全性',
};

/** `not_applicable`: nothing of the kind to check (an item without seals); `not_run`: could not be checked (no scanner). */
export const OUTCOMES = ['pass', 'fail', 'not_applicable', 'not_run'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface Evidence {
  /** What was measured, e.g. "SHA-256 of data/items/0001-…/item.docx". */
  measured: string;
  expected: string;
  found: string;
}

export interface CheckResult {
  check: string;
  group: CheckGroup;
  label: string;
  /** The item's archival number, or null for a check of the whole package. */
  subject: string | null;
  outcome: Outcome;
  evidence: Evidence[];
}

export interface CheckContext {
  pkg: RecordPackage;
  /** Archival numbers already held by the receiving archive (uniqueness on receipt); empty otherwise. */
  existingArchivalNumbers?: ReadonlySet<string>;
  /** The virus scanner's verdicts per payload path (filled by the engine before the package checks run). */
  scan?: ScanOutcome;
  /** What the package checks need to know of each item, kept after its files are released. */
  items?: ItemFacts[];
  /** Root certificates (DER) the deployment trusts for electronic seals (the seal check's certificate chains). */
  sealRoots?: readonly Uint8Array[];
  /**
   * The DA/T 46 records' validation, started by the engine while it checks the items (batches in the background);
   * the package check takes its results. Absent: the package check validates the records itself.
   */
  dat46?: { results(): Promise<Map<string, string[]>> };
}

export interface ItemFacts {
  dir: string;
  subject: string;
  archivalNumber: string | null;
  /** Paths inside the item's directory that belong there (its records and the files its metadata lists). */
  expected: string[];
  /**
   * Its DA/T 46 record (metadata.xml), validated in batches of records; null when absent; '' once the engine has
   * handed it to `CheckContext.dat46` (present, its text no longer kept).
   */
  dat46: string | null;
  disposed: boolean;
}

export type ScanOutcome = { ran: true; engine: string; infected: Map<string, string>; scanned: number } | { ran: false; reason: string };

interface CheckBase {
  id: string;
  group: CheckGroup;
  /** 检测项目 in Chinese, as printed in the report. */
  label: string;
  /** One line on what is checked and how. */
  description: string;
}

export interface ItemCheck extends CheckBase {
  scope: 'item';
  run(item: PackageItem, ctx: CheckContext): Promise<CheckVerdict> | CheckVerdict;
}

export interface PackageCheck extends CheckBase {
  scope: 'package';
  /** One verdict for the package, and optionally one per item (keyed by the item's directory). */
  run(ctx: CheckContext): Promise<PackageVerdict> | PackageVerdict;
}

export type Check = ItemCheck | PackageCheck;

export interface CheckVerdict {
  outcome: Outcome;
  evidence: Evidence[];
}

export interface PackageVerdict extends CheckVerdict {
  items?: Map<string, CheckVerdict>;
}

const registry = new Map<string, Check>();

/** Adds a check, or replaces the one with the same id (how the OFD and seal checks take over the defaults). */
export function registerCheck(check: Check): void {
  registry.set(check.id, check);
}

export function registeredChecks(): Check[] {
  return [...registry.values()];
}

export function getCheck(id: string): Check | undefined {
  return registry.get(id);
}

export const pass = (...evidence: Evidence[]): CheckVerdict => ({ outcome: 'pass', evidence });
export const fail = (...evidence: Evidence[]): CheckVerdict => ({ outcome: 'fail', evidence });
export const notApplicable = (why: string): CheckVerdict => ({
  outcome: 'not_applicable',
  evidence: [{ measured: why, expected: '—', found: '—' }],
});
export const notRun = (why: string): CheckVerdict => ({ outcome: 'not_run', evidence: [{ measured: why, expected: '—', found: '—' }] });

/** The worst of several outcomes: fail > not_run > pass > not_applicable. */
export function worst(outcomes: Outcome[]): Outcome {
  if (outcomes.includes('fail')) return 'fail';
  if (outcomes.includes('not_run')) return 'not_run';
  if (outcomes.includes('pass')) return 'pass';
  return 'not_applicable';
}
