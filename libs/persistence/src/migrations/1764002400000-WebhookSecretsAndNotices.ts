import type { MigrationInterface, QueryRunner } from 'typeorm';
import { isSealed, migrationSecretKeyRing, open, seal, type SecretKeyRing } from '../secret-box.js';

interface StoredSecret {
  secret?: string;
  sealed?: string;
  expiresAt: string | null;
}

/**
 * Seals every plain webhook secret (`{ secret }` entries) with `ring`; returns how many subscriptions it changed.
 * Without a ring, and with secrets to seal, it throws rather than leave them in plain text.
 */
export async function sealPlainWebhookSecrets(
  q: { query(sql: string, params?: unknown[]): Promise<any> },
  ring: SecretKeyRing | null,
): Promise<number> {
  const rows: { id: string; secrets: StoredSecret[] }[] = await q.query(`SELECT id, secrets FROM webhook_subscriptions FOR UPDATE`);
  const plain = rows.filter((r) => r.secrets.some((s) => s.secret !== undefined));
  if (!plain.length) return 0;
  if (!ring)
    throw new Error(
      `${plain.length} webhook subscription(s) hold plain secrets and no GONGWEN_SECRET_KEY is configured to encrypt them with`,
    );
  for (const r of plain) {
    const secrets = r.secrets.map((s) =>
      s.secret === undefined ? s : { sealed: seal(ring, s.secret, `webhook:${r.id}`), expiresAt: s.expiresAt },
    );
    await q.query(`UPDATE webhook_subscriptions SET secrets = $2 WHERE id = $1`, [r.id, JSON.stringify(secrets)]);
  }
  return plain.length;
}

/**
 * Webhooks, issue 23's remaining points.
 *
 * - Signing secrets encrypted at rest: each entry of webhook_subscriptions.secrets becomes
 *   `{ sealed: "gw1.<keyId>.…", expiresAt }` (AES-256-GCM under GONGWEN_SECRET_KEY, bound to the subscription;
 *   libs/persistence/src/secret-box.ts). The rows already there are sealed here, with the key ring of the
 *   configuration that runs the migrations (openDatabase sets it); without one, and with secrets to seal, the
 *   migration stops and says so rather than leave them in plain text.
 * - One attempt at a time per delivery: `sending_until` is the lease of the attempt being sent (taken in the
 *   transaction that logs the attempt before its request goes out); a manual redelivery arriving meanwhile only
 *   sets `redeliver_requested`, and the attempt's end schedules it.
 * - user_notices: what the system tells one user outside a document (a subscription of theirs was disabled),
 *   written by the outbox relay from an outbox row without a document, so the notice exists iff its outbox row
 *   was relayed (outbox_id is unique); the web inbox lists the unread ones.
 */
export class WebhookSecretsAndNotices1764002400000 implements MigrationInterface {
  name = 'WebhookSecretsAndNotices1764002400000';

  async up(q: QueryRunner): Promise<void> {
    await sealPlainWebhookSecrets(q, migrationSecretKeyRing());
    await q.query(`ALTER TABLE webhook_deliveries ADD COLUMN sending_until timestamptz`);
    await q.query(`ALTER TABLE webhook_deliveries ADD COLUMN redeliver_requested boolean NOT NULL DEFAULT false`);
    await q.query(`
      CREATE TABLE user_notices (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        kind text NOT NULL,
        params jsonb NOT NULL,
        outbox_id bigint NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        read_at timestamptz)`);
    await q.query(`CREATE INDEX user_notices_user ON user_notices (user_id, created_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE user_notices`);
    await q.query(`ALTER TABLE webhook_deliveries DROP COLUMN redeliver_requested`);
    await q.query(`ALTER TABLE webhook_deliveries DROP COLUMN sending_until`);
    const rows: { id: string; secrets: StoredSecret[] }[] = await q.query(`SELECT id, secrets FROM webhook_subscriptions FOR UPDATE`);
    const sealed = rows.filter((r) => r.secrets.some((s) => s.sealed !== undefined && isSealed(s.sealed)));
    if (!sealed.length) return;
    const ring = migrationSecretKeyRing();
    if (!ring) throw new Error('webhook secrets are encrypted and no GONGWEN_SECRET_KEY is configured to decrypt them with');
    for (const r of sealed) {
      const secrets = r.secrets.map((s) => (s.sealed ? { secret: open(ring, s.sealed, `webhook:${r.id}`), expiresAt: s.expiresAt } : s));
      await q.query(`UPDATE webhook_subscriptions SET secrets = $2 WHERE id = $1`, [r.id, JSON.stringify(secrets)]);
    }
  }
}
