/**
 * Webhook signing secrets at rest: sealed with the deployment's key ring (libs/persistence/src/secret-box.ts), bound
 * to their subscription, re-sealed when the ring gets a new first key.
 */
import { open, seal, sealedKeyId, type SecretKeyRing } from '#gongwen/persistence/secret-box';
import type { DataSource } from 'typeorm';

/** A signing secret as stored: sealed with the deployment's key ring (libs/persistence/src/secret-box.ts). */
export interface StoredSecret {
  sealed: string;
  expiresAt: string | null;
}

/** What a subscription's secrets are bound to when sealed (a sealed secret moved to another row does not open). */
export function secretContext(subscriptionId: string): string {
  return `webhook:${subscriptionId}`;
}

/**
 * Key rotation: re-seals with the ring's first key every secret sealed with another key of the ring (each
 * subscription under its row lock, so processes starting together do it once); returns how many subscriptions
 * changed. Once it has run, the old key can leave GONGWEN_SECRET_KEY.
 */
export async function resealSecrets(db: DataSource, ring: SecretKeyRing): Promise<number> {
  const current = ring[0].id;
  const ids: { id: string }[] = await db.query(
    `SELECT id FROM webhook_subscriptions s WHERE EXISTS (
       SELECT 1 FROM jsonb_array_elements(s.secrets) e WHERE split_part(e->>'sealed', '.', 2) <> $1)`,
    [current],
  );
  let changed = 0;
  const failed: string[] = [];
  for (const { id } of ids)
    await db
      .transaction(async (m) => {
        const [row]: { secrets: StoredSecret[] }[] = await m.query(`SELECT secrets FROM webhook_subscriptions WHERE id = $1 FOR UPDATE`, [
          id,
        ]);
        if (!row || row.secrets.every((x) => sealedKeyId(x.sealed) === current)) return;
        const secrets = row.secrets.map((x) =>
          sealedKeyId(x.sealed) === current ? x : sealSecret(ring, id, open(ring, x.sealed, secretContext(id)), x.expiresAt),
        );
        await m.query(`UPDATE webhook_subscriptions SET secrets = $2 WHERE id = $1`, [id, JSON.stringify(secrets)]);
        changed++;
      })
      // one that does not open (its key left the ring, or it was tampered with) stays as it is; the others move
      .catch(() => failed.push(id));
  if (failed.length)
    throw new Error(`the secrets of ${failed.length} subscription(s) could not be opened with GONGWEN_SECRET_KEY (${changed} moved)`);
  return changed;
}

/** A new secret as stored for subscription `id`. */
export function sealSecret(ring: SecretKeyRing, id: string, secret: string, expiresAt: string | null): StoredSecret {
  return { sealed: seal(ring, secret, secretContext(id)), expiresAt };
}

/** The secrets a subscription signs with now: the current one and any still inside its rotation window. */
export function activeSecrets(ring: SecretKeyRing, id: string, secrets: StoredSecret[], now = Date.now()): string[] {
  return secrets.filter((s) => !s.expiresAt || Date.parse(s.expiresAt) > now).map((s) => open(ring, s.sealed, secretContext(id)));
}
