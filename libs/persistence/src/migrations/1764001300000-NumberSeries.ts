import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Document number series per issuing body and kind (区委办发〔Y〕N号 for 通知 and the like, 区委办函〔Y〕N号 for 函,
 * 第N期 for 纪要), each with its pattern, yearly or continuous, and its own gapless counter.
 *
 * - `document_number_series`: the configuration. A row with no unit applies to every body, a row with no kind to
 *   every kind; the most specific row wins. Series with the same `counter` draw from one counter.
 * - `document_number_series_counters`: one row per body, counter and period (the year, or 0 for continuous), locked
 *   by the registration that takes a number until it commits (gapless, as document_number_counters has been). The
 *   standard series `fa`, reset yearly, keeps using document_number_counters, so its numbers go on from where they
 *   were.
 * - `document_number_allocations`: every number handed out, unique per body, counter, period and serial. The plain
 *   UNIQUE on documents.document_number goes: a 纪要's 第N期 repeats across bodies and years by nature.
 */
export class NumberSeries1764001300000 implements MigrationInterface {
  name = 'NumberSeries1764001300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE document_number_series (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        issuer_unit_id uuid REFERENCES units(id),
        kind text,
        pattern text NOT NULL CHECK (length(pattern) BETWEEN 1 AND 40 AND pattern LIKE '%{n}%'),
        reset text NOT NULL CHECK (reset IN ('yearly', 'continuous')),
        counter text NOT NULL CHECK (counter ~ '^[a-z0-9_-]{1,32}$'),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE NULLS NOT DISTINCT (issuer_unit_id, kind)
      )`);
    await q.query(`
      INSERT INTO document_number_series (issuer_unit_id, kind, pattern, reset, counter) VALUES
        (NULL, NULL, '{code}发〔{year}〕{n}号', 'yearly', 'fa'),
        (NULL, '函', '{code}函〔{year}〕{n}号', 'yearly', 'han'),
        (NULL, '纪要', '第{n}期', 'yearly', 'jiyao')`);
    await q.query(`
      CREATE TABLE document_number_series_counters (
        issuer_unit_id uuid NOT NULL REFERENCES units(id),
        counter text NOT NULL,
        period int NOT NULL,
        last_serial int NOT NULL CHECK (last_serial > 0),
        PRIMARY KEY (issuer_unit_id, counter, period)
      )`);
    await q.query(`
      CREATE TABLE document_number_allocations (
        document_id uuid PRIMARY KEY REFERENCES documents(id),
        issuer_unit_id uuid NOT NULL REFERENCES units(id),
        counter text NOT NULL,
        period int NOT NULL,
        serial int NOT NULL CHECK (serial > 0),
        document_number text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (issuer_unit_id, counter, period, serial)
      )`);
    await q.query(`ALTER TABLE documents DROP CONSTRAINT IF EXISTS documents_document_number_key`);
    await q.query(`CREATE INDEX IF NOT EXISTS documents_document_number ON documents (document_number) WHERE document_number IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS documents_document_number`);
    await q.query(`ALTER TABLE documents ADD CONSTRAINT documents_document_number_key UNIQUE (document_number)`);
    await q.query(`DROP TABLE document_number_allocations`);
    await q.query(`DROP TABLE document_number_series_counters`);
    await q.query(`DROP TABLE document_number_series`);
  }
}
