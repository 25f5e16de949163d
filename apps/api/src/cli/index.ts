import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Command } from 'commander';
import { AppModule } from '../app.module.js';
import { loadConfig } from '../config/config.js';
import { openDatabase } from '../database/database.js';
import { DocumentsService, type DocumentRow } from '../documents/documents.service.js';
import { parseAdminAuditAnchor, verifyAdminAudit } from '../admin/admin.audit.js';

/**
 * gongwen's command line: `npm run cli -- <command>`.
 *   verify [ids...]   recompute every hash chain, revision hash, signature and seal; exit 1 on the first broken document
 * (a detached seal signature over a file is checked by seal.ts: `npm run seal:verify -- <file> <signature>`)
 */
const program = new Command('gongwen').description('gongwen command line');

program
  .command('verify')
  .description(
    'verify documents: audit hash chains, revision hashes, workflow replay, Ed25519 signatures and electronic seals (SM2/SM3, GB/T 38540)',
  )
  .argument('[ids...]', 'document ids (default: every document)')
  .option('--admin-head <seq:hash>', 'an admin audit head recorded earlier (printed by a previous verify): it must still be in the chain')
  .action(async (ids: string[], opts: { adminHead?: string }) => {
    const anchor = opts.adminHead === undefined ? undefined : parseAdminAuditAnchor(opts.adminHead);
    if (anchor === null) throw new Error('--admin-head expects seq:hash, as a previous verify printed it');
    const config = loadConfig({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
    const db = await openDatabase(config);
    const app = await NestFactory.createApplicationContext(AppModule.forRoot(config, db.dataSource), { logger: ['error'] });
    try {
      const documents = app.get(DocumentsService);
      const rows: DocumentRow[] = ids.length
        ? await db.dataSource.query(`SELECT * FROM documents WHERE id = ANY($1::uuid[]) ORDER BY created_at`, [ids])
        : await db.dataSource.query(`SELECT * FROM documents ORDER BY created_at`);
      let broken = 0;
      for (const row of rows) {
        const r = await documents.verifyRow(row);
        if (r.ok) {
          console.log(`ok      ${row.id}  ${r.events} events, ${r.revisions} revisions [${r.checks.join(', ')}]  ${row.title}`);
        } else {
          broken++;
          console.log(`BROKEN  ${row.id}  ${JSON.stringify(r.firstBroken)}  ${row.title}`);
        }
      }
      const missing = ids.filter((id) => !rows.some((r) => r.id === id));
      for (const id of missing) console.log(`MISSING ${id}`);
      // the administrators' audit chain (user changes, grants, approvals) is checked with every full run
      let adminBroken = 0;
      if (!ids.length) {
        const a = await verifyAdminAudit(db.dataSource, anchor);
        // the head, for the operator to record outside the database (then: verify --admin-head seq:hash)
        if (a.ok) console.log(`ok      admin audit log  ${a.entries} entries, head ${a.head ? `${a.head.seq}:${a.head.hash}` : '(empty)'}`);
        else console.log(`BROKEN  admin audit log  ${JSON.stringify(a.firstBroken)}`);
        adminBroken = a.ok ? 0 : 1;
      }
      console.log(`verify: ${rows.length - broken} passed, ${broken + missing.length + adminBroken} failed`);
      process.exitCode = broken + missing.length + adminBroken ? 1 : 0;
    } finally {
      await app.close();
      await db.close();
    }
  });

program.parseAsync(process.argv).catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(2);
});
