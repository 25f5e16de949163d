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
 * - supervision_board: the board's counts per year by state, colour, lead unit and responsible leader (with closed,
 *   closed on time and red), kept by a trigger on supervision_register in the same transaction as each change, so
 *   the board of a year of 100,000 items reads a few hundred rows. The trigger adds the old row's counts negated and
 *   the new row's in one statement, keys in one order, so that concurrent transitions wait for each other's counter
 *   rows but never deadlock.
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
    await q.query(`
      CREATE TABLE supervision_board (
        year int NOT NULL,
        dim text NOT NULL CHECK (dim IN ('state', 'colour', 'unit', 'leader')),
        key text NOT NULL,
        n int NOT NULL DEFAULT 0,
        closed int NOT NULL DEFAULT 0,
        on_time int NOT NULL DEFAULT 0,
        red int NOT NULL DEFAULT 0,
        PRIMARY KEY (year, dim, key)
      )`);
    await q.query(`
      CREATE FUNCTION supervision_board_count() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO supervision_board AS b (year, dim, key, n, closed, on_time, red)
        SELECT c.year, c.dim, c.key, sum(c.sign), sum(c.sign * c.closed), sum(c.sign * c.on_time), sum(c.sign * c.red)
          FROM (
            SELECT r.year, d.dim, d.key, r.sign, (r.closed_at IS NOT NULL)::int AS closed,
                   coalesce(r.on_time, false)::int AS on_time, (r.colour = 'red')::int AS red
              FROM (SELECT o.year, o.state, o.colour, o.lead_unit_id, o.responsible_leader_id, o.closed_at, o.on_time, -1 AS sign
                      FROM (SELECT OLD.*) o WHERE TG_OP IN ('UPDATE', 'DELETE')
                    UNION ALL
                    SELECT n.year, n.state, n.colour, n.lead_unit_id, n.responsible_leader_id, n.closed_at, n.on_time, 1
                      FROM (SELECT NEW.*) n WHERE TG_OP IN ('INSERT', 'UPDATE')) r
             CROSS JOIN LATERAL (VALUES ('state', r.state), ('colour', r.colour), ('unit', r.lead_unit_id::text),
                                        ('leader', r.responsible_leader_id::text)) d(dim, key)) c
         GROUP BY c.year, c.dim, c.key
        HAVING sum(c.sign) <> 0 OR sum(c.sign * c.closed) <> 0 OR sum(c.sign * c.on_time) <> 0 OR sum(c.sign * c.red) <> 0
         ORDER BY c.year, c.dim, c.key
        ON CONFLICT (year, dim, key) DO UPDATE
          SET n = b.n + EXCLUDED.n, closed = b.closed + EXCLUDED.closed, on_time = b.on_time + EXCLUDED.on_time, red = b.red + EXCLUDED.red;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER supervision_board_insert AFTER INSERT ON supervision_register
        FOR EACH ROW EXECUTE FUNCTION supervision_board_count()`);
    // only changes that move a count (a transition that changes nothing counted writes no counter row)
    await q.query(`
      CREATE TRIGGER supervision_board_update AFTER UPDATE ON supervision_register
        FOR EACH ROW WHEN ((OLD.year, OLD.state, OLD.colour, OLD.lead_unit_id, OLD.responsible_leader_id, OLD.closed_at IS NULL, OLD.on_time)
                           IS DISTINCT FROM (NEW.year, NEW.state, NEW.colour, NEW.lead_unit_id, NEW.responsible_leader_id, NEW.closed_at IS NULL, NEW.on_time))
        EXECUTE FUNCTION supervision_board_count()`);
    await q.query(`
      CREATE TRIGGER supervision_board_delete AFTER DELETE ON supervision_register
        FOR EACH ROW EXECUTE FUNCTION supervision_board_count()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE supervision_board`);
    await q.query(`DROP TRIGGER supervision_board_delete ON supervision_register`);
    await q.query(`DROP TRIGGER supervision_board_update ON supervision_register`);
    await q.query(`DROP TRIGGER supervision_board_insert ON supervision_register`);
    await q.query(`DROP FUNCTION supervision_board_count()`);
    await q.query(`DROP TABLE supervision_accountability`);
    await q.query(`DROP TABLE holiday_calendars`);
    await q.query(`DROP TABLE supervision_cards`);
    await q.query(`DROP TABLE supervision_register`);
    await q.query(`DROP TABLE supervision_number_counters`);
  }
}
