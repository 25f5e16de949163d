import 'reflect-metadata';
import { ConfigError, loadConfig } from '../config/config.js';
import { openDatabase } from '../database/database.js';
import { seedDemo } from '../seed/demo.js';

/** npm run db:migrate | db:revert [-- --all] | db:seed — against DATABASE_URL or the embedded server. */
async function run() {
  const [command, ...args] = process.argv.slice(2);
  const config = loadConfig();
  // seeding needs the schema: it migrates first, as `npm start` does
  const db = await openDatabase(config, { migrate: command === 'seed' });
  try {
    if (command === 'migrate') {
      const done = await db.dataSource.runMigrations({ transaction: 'each' });
      console.log(done.length ? `applied: ${done.map((m) => m.name).join(', ')}` : 'the schema is up to date');
    } else if (command === 'revert') {
      const all = args.includes('--all');
      do {
        const executed = await db.dataSource.query(`SELECT to_regclass('migrations') IS NOT NULL AS ok`);
        if (!executed[0].ok) break;
        const [{ n }] = await db.dataSource.query(`SELECT count(*)::int AS n FROM migrations`);
        if (n === 0) {
          console.log('nothing to revert');
          break;
        }
        await db.dataSource.undoLastMigration({ transaction: 'each' });
        console.log('reverted the last migration');
      } while (all);
    } else if (command === 'seed') {
      console.log((await seedDemo(db.dataSource)) ? 'seeded the demo office' : 'the database already has users; nothing seeded');
    } else {
      console.error('usage: db.js migrate | revert [--all] | seed');
      process.exitCode = 2;
    }
  } finally {
    await db.close();
  }
}

run().catch((e) => {
  console.error(e instanceof ConfigError ? e.message : e);
  process.exit(1);
});
