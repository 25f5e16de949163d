#!/usr/bin/env node
/**
 * Fails when an installed package does not support the Node versions the project claims (package.json
 * `engines.node`): the same condition as npm's EBADENGINE warning, checked for the lowest supported Node and
 * for the running one, so a dependency bump that drops Node 20 is caught even when CI runs a newer Node.
 *
 *   node scripts/dev/check-engines.mjs [projectDir]
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import semver from 'semver';

const dir = resolve(process.argv[2] ?? '.');
const root = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
const range = root.engines?.node;
if (!range) {
  console.error('check-engines: package.json has no engines.node');
  process.exit(2);
}
const lowest = semver.minVersion(range).version;
const targets = [...new Set([lowest, process.versions.node])].filter((v) => semver.satisfies(v, range));
const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8'));

const bad = [];
let checked = 0;
for (const path of Object.keys(lock.packages ?? {})) {
  if (!path.startsWith('node_modules/') && !path.includes('/node_modules/')) continue;
  const manifest = join(dir, path, 'package.json');
  if (!existsSync(manifest)) continue; // an optional dependency for another platform
  const pkg = JSON.parse(readFileSync(manifest, 'utf8'));
  checked++;
  const wanted = typeof pkg.engines === 'object' ? pkg.engines?.node : undefined;
  if (typeof wanted !== 'string') continue;
  for (const v of targets) {
    if (!semver.satisfies(v, wanted, { includePrerelease: true }))
      bad.push(`${path} ${pkg.version}: engines.node "${wanted}" excludes Node ${v}`);
  }
}
if (bad.length) {
  console.error(`check-engines: ${bad.length} installed package(s) do not support the project's Node ${range}:`);
  for (const b of bad) console.error(`  ${b}`);
  console.error('Pin a version that supports it (package.json "overrides") or raise engines.node everywhere.');
  process.exit(1);
}
console.log(`check-engines: ${checked} installed packages support Node ${targets.join(' and ')} (engines.node ${range})`);
