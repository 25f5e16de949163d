import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Supervision (督查督办).
 *
 * - supervision_number_counters: the item number 督〔year〕n号, gapless per year (the counter row is locked by the
 *   creating transaction, so a rolled-back creation gives its number back).
 * - supervision_register: one row per item (督查事项登记簿), kept up to date in every transition's transaction: the
 *   board and the register read it alone (indexed by year and by the running deadlines the card sweep looks at),
 *   never the documents' snapshots.
 * - supervision_cards: one row per colour card issued (item, colour, round): the unique key is the proof that a
 *   card goes out once however many processes sweep; the reminder notice (督查催办通知) it sent is recorded with it.
 * - holiday_calendars: a year's holidays and adjusted working weekends (调休), loaded by an administrator.
 * - supervision_accountability: items red for longer than the configured time (问责), listed once each.
 */
export class Supervision1764001600000 implements MigrationInterface {
  name = 'Supervision1764001600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE supervision_number_counters (
        year int PRIMARY KEY,
        last int NOT NULL DEFAULT 0 CHECK (last >= 0)
      )`);
    await q.query(`
      CREATE TABLE supervision_register (
        document_id uuid PRIMARY KEY REFERENCES documents(id),
        year int NOT NULL,
        serial int NOT NULL CHECK (serial > 0),
        item_number text NOT NULL,
        title text NOT NULL,
        source_kind text NOT NULL CHECK (source_kind IN ('instruction', 'meeting', 'document', 'key_task')),
        source_document_id uuid,
        instructing_leader_id uuid NOT NULL REFERENCES users(id),
        responsible_leader_id uuid NOT NULL REFERENCES users(id),
        supervisor_id uuid NOT NULL REFERENCES users(id),
        handler_id uuid REFERENCES users(id),
        lead_unit_id uuid NOT NULL REFERENCES units(id),
        assisting_unit_ids uuid[] NOT NULL DEFAULT '{}',
        instruction_text text NOT NULL,
        requirements text NOT NULL,
        cadence text NOT NULL,
        result_form text NOT NULL,
        deadline date NOT NULL,
        state text NOT NULL,
        colour text NOT NULL DEFAULT 'none' CHECK (colour IN ('none', 'blue', 'yellow', 'red')),
        colour_round int NOT NULL DEFAULT 0,
        assigned_at timestamptz,
        last_feedback_at timestamptz,
        red_since timestamptz,
        closed_at timestamptz,
        on_time boolean,
        registered_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        UNIQUE (year, serial)
      )`);
    await q.query(`CREATE INDEX supervision_register_by_date ON supervision_register (registered_at, serial)`);
    // the card sweep: running items by deadline
    await q.query(
      `CREATE INDEX supervision_register_running ON supervision_register (deadline, document_id) WHERE state IN ('assigned', 'in_progress')`,
    );
    await q.query(`CREATE INDEX supervision_register_red ON supervision_register (red_since) WHERE red_since IS NOT NULL`);
    await q.query(`
      CREATE TABLE supervision_cards (
        document_id uuid NOT NULL REFERENCES documents(id),
        colour text NOT NULL CHECK (colour IN ('blue', 'yellow', 'red')),
        round int NOT NULL,
        reason text NOT NULL,
        issued_at timestamptz NOT NULL,
        notified_unit_id uuid NOT NULL REFERENCES units(id),
        notified_user_ids uuid[] NOT NULL DEFAULT '{}',
        PRIMARY KEY (document_id, colour, round)
      )`);
    await q.query(`
      CREATE TABLE holiday_calendars (
        year int PRIMARY KEY CHECK (year BETWEEN 1900 AND 9999),
        data jsonb NOT NULL,
        loaded_by uuid NOT NULL REFERENCES users(id),
        loaded_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE supervision_accountability (
        document_id uuid PRIMARY KEY REFERENCES documents(id),
        red_since timestamptz NOT NULL,
        listed_at timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE supervision_accountability`);
    await q.query(`DROP TABLE holiday_calendars`);
    await q.query(`DROP TABLE supervision_cards`);
    await q.query(`DROP TABLE supervision_register`);
    await q.query(`DROP TABLE supervision_number_counters`);
  }
}
