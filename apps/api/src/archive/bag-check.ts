/**
 * Checking a BagIt package file in full (四性检测): the one piece of the records checks that the volume export uses
 * too, kept apart from records-checks.ts (which writes scratch bags through the export) so the two do not import
 * each other.
 */
import { basename } from 'node:path';
import {
  RecordPackage,
  clamscan,
  runChecks,
  zipSource,
  type CheckReport,
  type CheckRunOptions,
  type VirusScanner,
} from '#gongwen/archive/checks/index';

/** The scanner the archive uses unless told otherwise: clamscan with GONGWEN_CLAMAV_DB or the system's signatures. */
export const defaultScanner = (): VirusScanner => clamscan();

export async function checkBagFile(path: string, opts: CheckRunOptions & { name?: string } = {}): Promise<CheckReport> {
  const pkg = new RecordPackage(await zipSource(path), opts.name ?? basename(path));
  try {
    return await runChecks(pkg, { scanner: opts.scanner === undefined ? defaultScanner() : opts.scanner, ...opts });
  } finally {
    await pkg.close();
  }
}
