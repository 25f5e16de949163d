import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { compareZh } from '#gongwen/document/collate';
import type { DocumentContent } from '#gongwen/document/model';
import type { AuthUser } from '../auth/auth.types.js';
import { TransitionEngine } from '../engine/transition-engine.js';
import type { EngineRow } from '../engine/types.js';
import { deliverRegistered } from './deliver.js';

interface DeliveryRow {
  recipient_unit_id: string;
  unit_name: string;
  role: 'main' | 'copy';
  status: 'delivered' | 'signed' | 'returned';
  delivered_at: Date;
  signed_by: string | null;
  signed_by_name: string | null;
  signed_at: Date | null;
  returned_by: string | null;
  returned_by_name: string | null;
  returned_at: Date | null;
  return_reason: string | null;
}

/** What an incoming item's context says of where it came from (workflows/incoming IncomingContext.source). */
type ExchangeSource = { kind: 'exchange' | 'external' };

/**
 * 公文交换 between the units of the deployment: delivery on the outgoing REGISTER, and the 签收回执 the
 * recipients' SIGN_FOR and RETURN_TO_SENDER write back, each inside the transition's transaction.
 */
@Injectable()
export class ExchangeService implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly engine: TransitionEngine,
  ) {}

  onModuleInit(): void {
    this.engine.onTransition(['REGISTER', 'SIGN_FOR', 'RETURN_TO_SENDER'], async (m, t) => {
      const doc = t.document as EngineRow<string, { source?: ExchangeSource }>;
      if (doc.workflow_id === 'outgoing' && t.event.type === 'REGISTER') {
        await deliverRegistered(m, this.engine, t.user, t.document as never, t.content as DocumentContent);
        return;
      }
      if (doc.workflow_id !== 'incoming' || doc.snapshot.context.source?.kind !== 'exchange') return;
      const e = t.event as { type: string; at: string; reason?: string };
      if (e.type === 'SIGN_FOR') {
        await m.query(`UPDATE exchange_deliveries SET status = 'signed', signed_by = $2, signed_at = $3 WHERE incoming_document_id = $1`, [
          doc.id,
          t.user.id,
          e.at,
        ]);
      } else if (e.type === 'RETURN_TO_SENDER') {
        await m.query(
          `UPDATE exchange_deliveries SET status = 'returned', returned_by = $2, returned_at = $3, return_reason = $4
            WHERE incoming_document_id = $1`,
          [doc.id, t.user.id, e.at, e.reason],
        );
      }
    });
  }

  /** GET /api/documents/{id}/receipts: per recipient unit, for those who can see the outgoing document. */
  async receipts(user: AuthUser, id: string) {
    const row = await this.engine.loadVisible(this.db.manager, user, id);
    const rows: DeliveryRow[] = await this.db.query(
      `SELECT d.recipient_unit_id, u.name AS unit_name, d.role, d.status, d.delivered_at,
              d.signed_by, su.display_name AS signed_by_name, d.signed_at,
              d.returned_by, ru.display_name AS returned_by_name, d.returned_at, d.return_reason
         FROM exchange_deliveries d
         JOIN units u ON u.id = d.recipient_unit_id
         LEFT JOIN users su ON su.id = d.signed_by
         LEFT JOIN users ru ON ru.id = d.returned_by
        WHERE d.outgoing_document_id = $1
        ORDER BY d.role = 'copy', d.id`,
      [row.id],
    );
    // main (主送) before copy (抄送), each in the directory's order of names (pinyin, as everywhere in the UI)
    rows.sort((a, b) => Number(a.role === 'copy') - Number(b.role === 'copy') || compareZh(a.unit_name, b.unit_name));
    const [revision]: { content: DocumentContent }[] =
      row.workflow_id === 'outgoing'
        ? await this.db.query(`SELECT content FROM revisions WHERE document_id = $1 AND number = $2`, [row.id, row.current_revision])
        : [];
    const outside = (revision?.content.addressees ?? [])
      .filter((a) => !a.unitId && !a.groupId)
      .map((a) => ({ role: a.role, name: a.name }));
    const person = (pid: string | null, name: string | null) => (pid ? { id: pid, displayName: name ?? '' } : null);
    return {
      items: rows.map((r) => ({
        unitId: r.recipient_unit_id,
        unitName: r.unit_name,
        role: r.role,
        status: r.status,
        deliveredAt: r.delivered_at.toISOString(),
        signedBy: person(r.signed_by, r.signed_by_name),
        signedAt: r.signed_at?.toISOString() ?? null,
        returnedBy: person(r.returned_by, r.returned_by_name),
        returnedAt: r.returned_at?.toISOString() ?? null,
        returnReason: r.return_reason,
      })),
      outside,
    };
  }

  /** GET /api/unit-groups: the groups of units recipients can name, with their members in order. */
  async unitGroups() {
    const rows: { id: string; name: string; members: { id: string; name: string }[] }[] = await this.db.query(
      `SELECT g.id, g.name,
              coalesce(jsonb_agg(jsonb_build_object('id', u.id, 'name', u.name) ORDER BY gm.position) FILTER (WHERE u.id IS NOT NULL), '[]') AS members
         FROM unit_groups g
         LEFT JOIN unit_group_members gm ON gm.group_id = g.id
         LEFT JOIN units u ON u.id = gm.unit_id
        GROUP BY g.id, g.name
        ORDER BY g.name, g.id`,
    );
    return { items: rows };
  }
}
