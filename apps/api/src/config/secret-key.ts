/**
 * The deployment's secret key ring (GONGWEN_SECRET_KEY, see libs/persistence/src/secret-box.ts). Without the
 * variable (only outside production: the configuration requires it there), a random key is created once in
 * GONGWEN_DATA_DIR/secret.key — the demo and embedded installs work out of the box, and every process started on
 * the same data directory finds the same key. The file is written under a temporary name and linked into place,
 * so processes starting together agree on one key.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { newSecretKeyEntry, parseSecretKeyRing, type SecretKeyRing } from '#gongwen/persistence/secret-box';
import type { AppConfig } from './config.js';

const rings = new Map<string, SecretKeyRing>();

export function secretKeyRing(config: Pick<AppConfig, 'GONGWEN_SECRET_KEY' | 'GONGWEN_DATA_DIR'>): SecretKeyRing {
  if (config.GONGWEN_SECRET_KEY) return parseSecretKeyRing(config.GONGWEN_SECRET_KEY);
  const file = resolve(config.GONGWEN_DATA_DIR, 'secret.key');
  const known = rings.get(file);
  if (known) return known;
  const ring = parseSecretKeyRing(readOrCreate(file));
  rings.set(file, ring);
  return ring;
}

function readOrCreate(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(tmp, `${newSecretKeyEntry('local')}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  try {
    linkSync(tmp, file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  } finally {
    unlinkSync(tmp);
  }
  return readFileSync(file, 'utf8');
}
