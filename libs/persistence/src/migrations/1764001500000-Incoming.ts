import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Incoming documents (收文) and exchange between units (公文交换).
 *
 * - documents.unit_id: the unit an incoming item was delivered to (set at creation). Queues of a unit read it
 *   through documents_unit_queue.
 * - documents.unit_keys: `role@unitId` keys; a user sees the document when one of theirs is in it (a unit's
 *   registrar sees every item of the unit, a department's handlers the items it handles), besides participants and
 *   the role pool stages. Written with every transition.
 * - unit_groups: named groups of units (区直各单位) that recipients can name; a group expands to its members.
 * - incoming_number_counters / incoming_register: the 收文编号, gapless per unit and year (the counter row is
 *   locked by the registering transaction, so a rolled-back registration gives its number back), and the 收文登记簿,
 *   one row per registered item, written in the REGISTER transition's transaction.
 * - exchange_deliveries: one row per (outgoing document, recipient unit): delivered, signed for (who, when) or
 *   returned (who, when, why) — the 签收回执 list of the issuing side.
 * - document_links: a reply (复文) and the incoming item it answers.
 */
export class Incoming1764001500000 implements MigrationInterface {
  name = 'Incoming1764001500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE documents ADD COLUMN unit_id uuid REFERENCES units(id), ADD COLUMN unit_keys text[] NOT NULL DEFAULT '{}'`);
    await q.query(`
      CREATE INDEX documents_unit_queue ON documents (unit_id, state, urgency_rank DESC, deadline ASC NULLS LAST, created_at, id)
        WHERE unit_id IS NOT NULL`);
    await q.query(`
      CREATE TABLE unit_groups (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE unit_group_members (
        group_id uuid NOT NULL REFERENCES unit_groups(id) ON DELETE CASCADE,
        unit_id uuid NOT NULL REFERENCES units(id),
        position int NOT NULL,
        PRIMARY KEY (group_id, unit_id)
      )`);
    await q.query(`
      CREATE TABLE incoming_number_counters (
        unit_id uuid NOT NULL REFERENCES units(id),
        year int NOT NULL,
        last int NOT NULL DEFAULT 0 CHECK (last >= 0),
        PRIMARY KEY (unit_id, year)
      )`);
    await q.query(`
      CREATE TABLE incoming_register (
        document_id uuid PRIMARY KEY REFERENCES documents(id),
        unit_id uuid NOT NULL REFERENCES units(id),
        year int NOT NULL,
        serial int NOT NULL CHECK (serial > 0),
        receive_number text NOT NULL,
        registered_at timestamptz NOT NULL,
        registered_by uuid NOT NULL REFERENCES users(id),
        received_at timestamptz NOT NULL,
        sender_name text NOT NULL,
        sender_number text,
        title text NOT NULL,
        kind text,
        classification text NOT NULL DEFAULT 'none',
        classification_rank smallint NOT NULL DEFAULT 0,
        secrecy_period text,
        urgency text NOT NULL DEFAULT 'none',
        copies int NOT NULL CHECK (copies > 0),
        pages int CHECK (pages > 0),
        date_of_issue date,
        due_date date,
        lead_department_id uuid REFERENCES units(id),
        attachments text[] NOT NULL DEFAULT '{}',
        medium text NOT NULL CHECK (medium IN ('electronic', 'paper')),
        UNIQUE (unit_id, year, serial)
      )`);
    await q.query(`CREATE INDEX incoming_register_by_date ON incoming_register (unit_id, registered_at, serial)`);
    // the duplicate check of 来文字号 within a unit
    await q.query(
      `CREATE INDEX incoming_register_sender_number ON incoming_register (unit_id, sender_number) WHERE sender_number IS NOT NULL`,
    );
    await q.query(`
      CREATE TABLE exchange_deliveries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        outgoing_document_id uuid NOT NULL REFERENCES documents(id),
        recipient_unit_id uuid NOT NULL REFERENCES units(id),
        role text NOT NULL CHECK (role IN ('main', 'copy')),
        incoming_document_id uuid NOT NULL UNIQUE REFERENCES documents(id),
        status text NOT NULL DEFAULT 'delivered' CHECK (status IN ('delivered', 'signed', 'returned')),
        delivered_at timestamptz NOT NULL,
        signed_by uuid REFERENCES users(id),
        signed_at timestamptz,
        returned_by uuid REFERENCES users(id),
        returned_at timestamptz,
        return_reason text,
        UNIQUE (outgoing_document_id, recipient_unit_id),
        CHECK (status <> 'signed' OR (signed_by IS NOT NULL AND signed_at IS NOT NULL)),
        CHECK (status <> 'returned' OR (returned_at IS NOT NULL AND return_reason IS NOT NULL))
      )`);
    await q.query(`
      CREATE TABLE document_links (
        document_id uuid NOT NULL REFERENCES documents(id),
        linked_document_id uuid NOT NULL REFERENCES documents(id),
        kind text NOT NULL CHECK (kind IN ('reply_to')),
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (document_id, linked_document_id, kind)
      )`);
    await q.query(`CREATE INDEX document_links_linked ON document_links (linked_document_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE document_links`);
    await q.query(`DROP TABLE exchange_deliveries`);
    await q.query(`DROP TABLE incoming_register`);
    await q.query(`DROP TABLE incoming_number_counters`);
    await q.query(`DROP TABLE unit_group_members`);
    await q.query(`DROP TABLE unit_groups`);
    await q.query(`DROP INDEX documents_unit_queue`);
    await q.query(`ALTER TABLE documents DROP COLUMN unit_keys, DROP COLUMN unit_id`);
  }
}
