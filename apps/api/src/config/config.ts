import { isIP } from 'node:net';
import { z } from 'zod';
import { DEFAULT_OFFICE_TIME_ZONE, isTimeZone } from '#gongwen/document/date-of-issue';
import { parseSecretKeyRing } from '#gongwen/persistence/secret-box';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test'], { message: 'expected development, production or test' }).default('development'),
    HOST: z.string().min(1).default('127.0.0.1'),
    PORT: z.coerce.number({ message: 'expected a port number' }).int().min(0).max(65535, 'expected a port number (0-65535)').default(3000),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// or postgresql:// URL')
      .optional(),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
    GONGWEN_DATA_DIR: z.string().min(1).default('.gongwen'),
    GONGWEN_EMBEDDED_PG_PORT: z.coerce.number().int().min(1024).max(65535).default(54329),
    /** Seed the demo office. Default: on for the embedded database, off for an external one. */
    GONGWEN_SEED_DEMO: bool.optional(),
    /** Sample documents at every stage for the demo office (default: with the embedded database, when the office is seeded). */
    GONGWEN_SEED_DEMO_DOCUMENTS: bool.optional(),
    /** Cut the OFD fonts (each face's GB 2312 cut, ≈ 1.8 s of CPU) in the background once listening, rather than in the first OFD download. Default on. */
    GONGWEN_OFD_WARMUP: bool.optional(),
    /** A production install creates its first admin (username `admin`) with this password. */
    GONGWEN_ADMIN_PASSWORD: z.string().min(12, 'expected at least 12 characters').optional(),
    /** Encrypts signers' private keys at rest; default: a random key kept in GONGWEN_DATA_DIR/master.key. */
    GONGWEN_MASTER_KEY: z.string().min(32, 'expected at least 32 characters').optional(),
    /** Encrypts the seals' SM2 private keys at rest (libs/seal keystore); default: the master key. */
    GONGWEN_SEAL_KEY: z.string().min(32, 'expected at least 32 characters').optional(),
    /**
     * Encrypts secrets the server reads back (webhook signing secrets) with AES-256-GCM: `id:base64-of-32-bytes`,
     * comma-separated for a rotation (the first key encrypts, every key decrypts). Required in production; elsewhere
     * a random key is kept in GONGWEN_DATA_DIR/secret.key.
     */
    GONGWEN_SECRET_KEY: z
      .string()
      .superRefine((v, ctx) => {
        try {
          parseSecretKeyRing(v);
        } catch (e) {
          ctx.addIssue({ code: 'custom', message: (e as Error).message });
        }
      })
      .optional(),
    /** Where archive exports are written (default: GONGWEN_DATA_DIR/archive). */
    GONGWEN_ARCHIVE_DIR: z.string().min(1).optional(),
    /** Hours a finished volume export stays downloadable before its file is deleted (0: kept for good). */
    GONGWEN_EXPORT_RETENTION_HOURS: z.coerce.number().min(0, 'expected 0 (keep) or a number of hours').default(168),
    /** Seconds between two sweeps for overdue documents to remind (催办) in each process; 0: no automatic reminders here. */
    GONGWEN_REMINDER_INTERVAL_SECONDS: z.coerce
      .number()
      .int('expected whole seconds')
      .min(0)
      .max(86_400, 'at most a day (86400)')
      .default(900),
    /**
     * An overdue document's readers are reminded when its deadline passes, then again every this many hours.
     * The same on every process (it defines the periods that each reminder is sent once in).
     */
    GONGWEN_REMINDER_REPEAT_HOURS: z.coerce
      .number()
      .min(0.25, 'at least 0.25 (15 minutes)')
      .max(8_760, 'at most a year (8760)')
      .default(24),
    /**
     * Incoming items (收文) whose department deadline has passed: urgent items (紧急, 特急) are reminded (催办) when the
     * deadline passes and again every this many hours; the same on every process (it defines the periods).
     */
    GONGWEN_INCOMING_URGENT_REMIND_HOURS: z.coerce
      .number()
      .min(0.25, 'at least 0.25 (15 minutes)')
      .max(168, 'at most a week (168)')
      .default(4),
    /** Ordinary incoming items: reminded when the deadline passes and again every this many hours (daily by default). */
    GONGWEN_INCOMING_ROUTINE_REMIND_HOURS: z.coerce.number().min(1, 'at least 1').max(8_760, 'at most a year (8760)').default(24),
    /** Seconds between two colour-card sweeps of supervised items (督查亮牌) in each process; 0: no sweeps here. */
    GONGWEN_SUPERVISION_SWEEP_SECONDS: z.coerce
      .number()
      .int('expected whole seconds')
      .min(0)
      .max(86_400, 'at most a day (86400)')
      .default(300),
    /** A blue card when this many working days or fewer are left before an item's deadline (蓝牌预警). */
    GONGWEN_SUPERVISION_BLUE_WORKING_DAYS: z.coerce.number().int('a whole number of working days').min(0).max(60, 'at most 60').default(3),
    /** Hours an item may stay red before it is put on the accountability list (问责). */
    GONGWEN_SUPERVISION_ACCOUNTABILITY_HOURS: z.coerce.number().min(0).max(8_760, 'at most a year (8760)').default(120),
    /** Seconds a session looked up by POST /api/documents/{id}/events is reused there (its write re-checks it); 0: off. */
    GONGWEN_SESSION_CACHE_SECONDS: z.coerce.number().int('a whole number of seconds').min(0).max(60, 'at most 60').default(5),
    /** Megabytes of heap per process for the documents a transition may decide on without reading them again; 0: off. */
    GONGWEN_DOCUMENT_CACHE_MB: z.coerce.number().int('a whole number of megabytes').min(0).max(4096, 'at most 4096').default(64),
    /**
     * Optimistic transition writes one process sends to PostgreSQL at a time; the writes that arrive meanwhile go
     * together in the next statement (group commit: one round trip and one commit for several). 0: every write in
     * its own statement, as many at once as the connection pool allows.
     */
    GONGWEN_WRITE_STATEMENTS: z.coerce.number().int('a whole number').min(0).max(64, 'at most 64').default(2),
    /** Hours an Idempotency-Key's record (and the answer it replays) is kept; a retry after that is a new request. */
    GONGWEN_IDEMPOTENCY_RETENTION_HOURS: z.coerce.number().min(1, 'at least 1 hour').max(8_760, 'at most a year (8760)').default(24),
    /**
     * Milliseconds between two passes of the outbox relay (notifications) in each process; 0: no relay here. Short,
     * so that each pass is small: at 1,000 transitions a second a pass a second was a statement of 1,000 rows and a
     * burst of as many notifications into every process's event loop, a stall the requests of that moment waited
     * out (issue #26). An idle pass reads the commit horizon and probes the outbox's primary key past the relay's
     * cursor: no lock, no transaction id, no write.
     */
    GONGWEN_OUTBOX_RELAY_MS: z.coerce
      .number()
      .int()
      .refine((n) => n === 0 || (n >= 50 && n <= 60_000), 'expected 0 (off) or 50 to 60000')
      .default(100),
    /** Run the archive's background workers in this process (turn off on web-only nodes). */
    GONGWEN_ARCHIVE_WORKERS: bool.default(true),
    /**
     * Stricter separation of duties than the default (drafters never proofread, review or sign their document):
     * one person passes at most one of the gates proofreading, review and signing of a document.
     */
    GONGWEN_STRICT_SEPARATION: bool.default(false),
    /**
     * Two-person rule for privileges: a grant of a role, a higher clearance, a signing authority or an activation
     * (and so every new user) waits until a second administrator approves it.
     */
    GONGWEN_ADMIN_APPROVAL: bool.default(false),
    /**
     * Comma-separated addresses or CIDRs (or proxy-addr's names loopback, linklocal, uniquelocal) of the reverse
     * proxies whose X-Forwarded-For is believed. Empty (default): the client address is the connection's own.
     */
    GONGWEN_TRUSTED_PROXIES: z
      .string()
      .default('')
      .refine(
        (v) =>
          v
            .split(',')
            .map((x) => x.trim())
            .filter(Boolean)
            .every(validProxy),
        'expected comma-separated IP addresses or CIDRs (e.g. 10.0.0.5, 10.1.0.0/16)',
      ),
    /** Bearer token that GET /metrics requires; without it /metrics answers 404. */
    GONGWEN_METRICS_TOKEN: z.string().min(16, 'expected at least 16 characters').optional(),
    /** The office's time zone (IANA): the calendar of the date of issue (成文日期) in the API, the DOCX and the archive. */
    GONGWEN_TIME_ZONE: z.string().refine(isTimeZone, 'expected an IANA time zone such as Asia/Shanghai').default(DEFAULT_OFFICE_TIME_ZONE),
    /**
     * host:port (e.g. 127.0.0.1:9464, [::1]:9464) of a separate listener serving only GET /metrics, without a
     * token: for a scraper on the same host or network segment. Unset: no such listener.
     */
    GONGWEN_METRICS_LISTEN: z
      .string()
      .transform((v, ctx) => {
        const listen = parseListen(v);
        if (!listen) ctx.addIssue({ code: 'custom', message: 'expected host:port, e.g. 127.0.0.1:9464 or [::1]:9464' });
        return listen ?? { host: '', port: 0 };
      })
      .optional(),
    /**
     * Seconds between a webhook delivery's attempts, comma-separated: after the first failure the first delay, and
     * so on; once they run out the delivery has failed (and its subscription is disabled). Each delay gets ±10 %
     * jitter; a receiver's Retry-After replaces it. Default about 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, then daily for three days.
     */
    GONGWEN_WEBHOOK_RETRY_SCHEDULE: z
      .string()
      .default('5,300,1800,7200,18000,36000,86400,86400,86400')
      .refine((v) => /^\s*\d+(\.\d+)?(\s*,\s*\d+(\.\d+)?)*\s*$/.test(v), 'expected comma-separated seconds, e.g. 5,300,1800')
      .transform((v) => v.split(',').map((x) => Number(x.trim()))),
    /** Milliseconds a webhook receiver has to answer. */
    GONGWEN_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(15_000),
    /**
     * Comma-separated addresses or CIDRs that webhook endpoints may resolve to although private, loopback or
     * link-local (e.g. 10.20.0.0/16 for an intranet receiver). Empty (default): only public addresses.
     */
    GONGWEN_WEBHOOK_ALLOW_CIDRS: z
      .string()
      .default('')
      .refine(
        (v) =>
          v
            .split(',')
            .map((x) => x.trim())
            .filter(Boolean)
            .every((x) => x.includes('/') && validProxy(x)),
        'expected comma-separated CIDRs (e.g. 127.0.0.1/32, 10.20.0.0/16)',
      ),
    /** No longer used (webhooks read the outbox through per-subscription cursors, webhooks/cursor.ts); accepted so that old settings still start. */
    GONGWEN_WEBHOOK_FANOUT_MS: z.coerce
      .number()
      .int()
      .refine((n) => n === 0 || (n >= 20 && n <= 60_000), 'expected 0 (off) or 20 to 60000')
      .default(500),
    /**
     * Kept-alive connections this process opens to each webhook subscription's receiver, with up to 32 requests in flight per worker
     * (claimed in batches); 0: this process sends none.
     */
    GONGWEN_WEBHOOK_WORKERS: z.coerce.number().int().min(0).max(64).default(4),
    /**
     * Milliseconds between the webhook dispatcher's polls in each sending process: for the events other processes
     * commit, those of background work, retries falling due and leases run out. The events of the transitions and
     * new documents this process commits do not wait for it: they go as soon as its commits pause
     * (webhooks/delivery.ts). Unset: 250 (100 under NODE_ENV=test).
     */
    GONGWEN_WEBHOOK_POLL_MS: z.coerce.number().int().min(20, 'at least 20').max(600_000, 'at most 600000').optional(),
    /**
     * Days the webhook delivery log keeps finished deliveries (webhook_deliveries with their attempts, and the
     * batches of first attempts answered 2xx, webhook_batches); older ones are deleted hourly, in chunks, except
     * each subscription's latest few (webhooks/log.ts pruneWebhookLog). Pending deliveries are never pruned. 0:
     * kept for good.
     */
    GONGWEN_WEBHOOK_LOG_RETENTION_DAYS: z.coerce.number().min(0, 'expected 0 (keep) or a number of days').max(3650).default(30),
    SESSION_TTL_HOURS: z.coerce
      .number()
      .min(0.01)
      .max(24 * 30)
      .default(12),
    COOKIE_SECURE: bool.default(false),
    BODY_LIMIT: z
      .string()
      .regex(/^\d+(kb|mb)$/i, 'expected a size such as 1mb or 512kb')
      .default('1mb'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Comma-separated origins allowed by CORS; empty = CORS closed. */
    CORS_ORIGINS: z.string().default(''),
  })
  .superRefine((c, ctx) => {
    // a production install must keep its secret key where its operators keep secrets (and the same on every process)
    if (c.NODE_ENV === 'production' && !c.GONGWEN_SECRET_KEY)
      ctx.addIssue({
        code: 'custom',
        path: ['GONGWEN_SECRET_KEY'],
        message: 'required in production: id:base64-of-32-bytes, e.g. k1:$(openssl rand -base64 32)',
      });
  });

/** `host:port` with an IP address (IPv6 in brackets) and a port 1-65535; null otherwise. */
export function parseListen(v: string): { host: string; port: number } | null {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(v.trim());
  if (!m) return null;
  const host = m[1] ?? m[2];
  const port = Number(m[3]);
  if ((m[1] ? isIP(host) !== 6 : isIP(host) !== 4) || port < 1 || port > 65535) return null;
  return { host, port };
}

function validProxy(entry: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) return true;
  const [address, bits, ...rest] = entry.split('/');
  const family = isIP(address);
  if (!family || rest.length) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return /^\d+$/.test(bits) && n >= 0 && n <= (family === 4 ? 32 : 128);
}

/** GONGWEN_TRUSTED_PROXIES as Fastify's trustProxy: the list, or false (believe no X-Forwarded-For). */
export function trustedProxies(config: Pick<AppConfig, 'GONGWEN_TRUSTED_PROXIES'>): string[] | false {
  const list = config.GONGWEN_TRUSTED_PROXIES.split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  return list.length ? list : false;
}

export type AppConfig = z.infer<typeof schema>;

export class ConfigError extends Error {}

/** Reads the environment once; a bad value stops the start with a message naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const name = String(i.path[0]);
      return `  ${name}=${JSON.stringify(env[name] ?? '')}: ${i.message}`;
    });
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return Object.freeze(parsed.data);
}

/** For the entry points: loadConfig(), or the message naming the bad variable and exit code 78 (EX_CONFIG). */
export function loadConfigOrExit(): AppConfig {
  try {
    return loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(78);
    }
    throw e;
  }
}

export const APP_CONFIG = Symbol('APP_CONFIG');
