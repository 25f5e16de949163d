import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The archive (DA/T 22-2015): filed items (件) with their archival numbers, gapless item counters per class,
 * the items' files, volumes (boxes), export jobs' progress, the disposal register (销毁清册), holds, and the
 * access log. Filed records are immutable in the database itself: triggers refuse any UPDATE or DELETE of an
 * item's content, whoever asks (the table owner and superusers included), except two controlled changes checked
 * by the trigger: the one-time completion of an item's preparation (page count, rendered files) and disposal
 * under an approved register entry with no hold and the retention period expired. The documents row of an
 * archived document is frozen likewise.
 */
export class Archive1764000200000 implements MigrationInterface {
  name = 'Archive1764000200000';

  async up(q: QueryRunner): Promise<void> {
    // the organisational code (机构代码) used in archival numbers, e.g. BGS for 办公室
    await q.query(`ALTER TABLE units ADD COLUMN archive_code text CHECK (archive_code ~ '^[A-Z0-9]{1,10}$')`);

    await q.query(`
      CREATE FUNCTION gw_archive_expires(year int, retention text) RETURNS date LANGUAGE sql IMMUTABLE AS $$
        SELECT CASE retention WHEN 'D10' THEN make_date(year + 11, 1, 1) WHEN 'D30' THEN make_date(year + 31, 1, 1) ELSE NULL END
      $$`);

    await q.query(`
      CREATE TABLE archive_class_counters (
        fonds_code text NOT NULL,
        year int NOT NULL,
        retention text NOT NULL,
        unit_code text NOT NULL,
        last_item int NOT NULL CHECK (last_item BETWEEN 1 AND 9999),
        PRIMARY KEY (fonds_code, year, retention, unit_code)
      )`);

    await q.query(`
      CREATE TABLE archive_items (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        document_id uuid NOT NULL UNIQUE REFERENCES documents(id),
        archival_number text NOT NULL UNIQUE,
        fonds_code text NOT NULL CHECK (fonds_code ~ '^[0-9A-Z]{4}$'),
        fonds_name text NOT NULL,
        record_class text NOT NULL DEFAULT 'WS',
        year int NOT NULL CHECK (year BETWEEN 1900 AND 9999),
        retention text NOT NULL CHECK (retention IN ('Y','D30','D10')),
        default_retention text NOT NULL CHECK (default_retention IN ('Y','D30','D10')),
        unit_code text NOT NULL CHECK (unit_code ~ '^[A-Z0-9]{1,10}$'),
        unit_name text NOT NULL,
        item_number int NOT NULL CHECK (item_number BETWEEN 1 AND 9999),
        kind text NOT NULL,
        title text NOT NULL,
        document_number text,
        author text NOT NULL,
        doc_date date NOT NULL,
        classification text NOT NULL,
        classification_rank smallint NOT NULL,
        revision_number int NOT NULL,
        revision_hash text NOT NULL,
        metadata jsonb,
        processing_record jsonb,
        page_count int CHECK (page_count > 0),
        prepared_at timestamptz,
        filed_by uuid NOT NULL REFERENCES users(id),
        filed_at timestamptz NOT NULL DEFAULT now(),
        disposed_at timestamptz,
        disposal_id uuid,
        UNIQUE (fonds_code, year, retention, unit_code, item_number),
        CHECK ((disposed_at IS NULL) = (disposal_id IS NULL)),
        CHECK (disposed_at IS NOT NULL OR (metadata IS NOT NULL AND processing_record IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX archive_items_class ON archive_items (fonds_code, year, retention, unit_code, item_number)`);
    await q.query(`CREATE INDEX archive_items_pending ON archive_items (filed_at) WHERE prepared_at IS NULL AND disposed_at IS NULL`);

    await q.query(`
      CREATE TABLE archive_files (
        id bigserial PRIMARY KEY,
        item_id uuid NOT NULL REFERENCES archive_items(id),
        role text NOT NULL CHECK (role IN ('item','original','final_draft','processing_sheet','attachment')),
        name text NOT NULL,
        media_type text NOT NULL,
        size bigint NOT NULL,
        sha256 text NOT NULL,
        data bytea,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (item_id, name)
      )`);

    await q.query(`
      CREATE TABLE archive_volumes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        fonds_code text NOT NULL,
        fonds_name text NOT NULL,
        year int NOT NULL,
        retention text NOT NULL CHECK (retention IN ('Y','D30','D10')),
        number text NOT NULL,
        title text NOT NULL,
        category_name text NOT NULL DEFAULT '文书档案',
        notes text NOT NULL DEFAULT '',
        checked_by text NOT NULL DEFAULT '',
        created_by uuid NOT NULL REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (fonds_code, number)
      )`);
    await q.query(`
      CREATE TABLE archive_volume_items (
        volume_id uuid NOT NULL REFERENCES archive_volumes(id) ON DELETE CASCADE,
        item_id uuid NOT NULL UNIQUE REFERENCES archive_items(id),
        position int NOT NULL CHECK (position > 0),
        PRIMARY KEY (volume_id, item_id),
        UNIQUE (volume_id, position) DEFERRABLE INITIALLY DEFERRED
      )`);

    await q.query(`
      CREATE TABLE archive_exports (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        volume_id uuid NOT NULL REFERENCES archive_volumes(id),
        format text NOT NULL CHECK (format IN ('bagit','docx')),
        status text NOT NULL CHECK (status IN ('queued','running','done','failed')),
        job_id uuid,
        items_total int NOT NULL DEFAULT 0,
        items_done int NOT NULL DEFAULT 0,
        attempts int NOT NULL DEFAULT 0,
        file_path text,
        file_name text,
        size bigint,
        sha256 text,
        error text,
        requested_by uuid REFERENCES users(id),
        via text NOT NULL DEFAULT 'api',
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // the same export (volume and format) never runs twice at once
    await q.query(
      `CREATE UNIQUE INDEX archive_exports_one_active ON archive_exports (volume_id, format) WHERE status IN ('queued','running')`,
    );

    await q.query(`
      CREATE TABLE archive_disposals (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        register_number text NOT NULL UNIQUE,
        method text NOT NULL DEFAULT 'destroy' CHECK (method IN ('destroy')),
        reason text NOT NULL,
        status text NOT NULL CHECK (status IN ('proposed','approved','rejected','executed')),
        proposed_by uuid NOT NULL REFERENCES users(id),
        proposed_at timestamptz NOT NULL DEFAULT now(),
        decided_by uuid REFERENCES users(id),
        decided_at timestamptz,
        decision_opinion text,
        executed_by uuid REFERENCES users(id),
        executed_at timestamptz,
        CHECK (decided_by IS NULL OR decided_by <> proposed_by)
      )`);
    await q.query(`
      CREATE TABLE archive_disposal_items (
        disposal_id uuid NOT NULL REFERENCES archive_disposals(id),
        item_id uuid NOT NULL REFERENCES archive_items(id),
        archival_number text NOT NULL,
        title text NOT NULL,
        document_number text,
        doc_date date NOT NULL,
        retention text NOT NULL,
        page_count int,
        PRIMARY KEY (disposal_id, item_id)
      )`);
    await q.query(
      `ALTER TABLE archive_items ADD CONSTRAINT archive_items_disposal_fk FOREIGN KEY (disposal_id) REFERENCES archive_disposals(id)`,
    );
    await q.query(`
      CREATE TABLE archive_holds (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        item_id uuid NOT NULL REFERENCES archive_items(id),
        reason text NOT NULL,
        placed_by uuid NOT NULL REFERENCES users(id),
        placed_at timestamptz NOT NULL DEFAULT now(),
        released_by uuid REFERENCES users(id),
        released_at timestamptz,
        release_reason text
      )`);
    await q.query(`CREATE INDEX archive_holds_active ON archive_holds (item_id) WHERE released_at IS NULL`);

    await q.query(`
      CREATE TABLE archive_access_log (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        user_id uuid REFERENCES users(id),
        action text NOT NULL,
        item_id uuid REFERENCES archive_items(id),
        volume_id uuid REFERENCES archive_volumes(id),
        export_id uuid REFERENCES archive_exports(id),
        detail jsonb NOT NULL DEFAULT '{}',
        request_id text
      )`);
    await q.query(`CREATE INDEX archive_access_log_item ON archive_access_log (item_id, at)`);

    // ------------------------------------------------------------------ immutability

    // An archived document's row is frozen (the API already refuses events on it with READ_ONLY).
    await q.query(`
      CREATE FUNCTION gw_documents_archived_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF OLD.state = 'archived' THEN
          RAISE EXCEPTION 'gongwen: document % is filed in the archive and read-only', OLD.id USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
      END $$`);
    await q.query(
      `CREATE TRIGGER documents_archived_frozen BEFORE UPDATE OR DELETE ON documents FOR EACH ROW EXECUTE FUNCTION gw_documents_archived_frozen()`,
    );

    // Items: no DELETE ever; UPDATE only for (a) completing the preparation once, (b) disposal under the register.
    await q.query(`
      CREATE FUNCTION gw_archive_items_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        prep_cols text[] := ARRAY['page_count','prepared_at'];
        disp_cols text[] := ARRAY['metadata','processing_record','disposed_at','disposal_id'];
      BEGIN
        IF TG_OP = 'DELETE' THEN
          RAISE EXCEPTION 'gongwen: filed item % cannot be deleted (disposal keeps its catalogue line)', OLD.archival_number USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF OLD.disposed_at IS NULL AND OLD.prepared_at IS NULL AND NEW.prepared_at IS NOT NULL AND NEW.page_count IS NOT NULL
           AND (to_jsonb(NEW) - prep_cols) = (to_jsonb(OLD) - prep_cols) THEN
          RETURN NEW;
        END IF;
        IF OLD.disposed_at IS NULL AND NEW.disposed_at IS NOT NULL AND NEW.metadata IS NULL AND NEW.processing_record IS NULL
           AND (to_jsonb(NEW) - disp_cols) = (to_jsonb(OLD) - disp_cols) THEN
          IF NOT EXISTS (SELECT 1 FROM archive_disposals d JOIN archive_disposal_items di ON di.disposal_id = d.id
                          WHERE d.id = NEW.disposal_id AND di.item_id = OLD.id AND d.status = 'approved') THEN
            RAISE EXCEPTION 'gongwen: disposal of % needs an approved disposal register entry listing it', OLD.archival_number USING ERRCODE = 'insufficient_privilege';
          END IF;
          IF EXISTS (SELECT 1 FROM archive_holds h WHERE h.item_id = OLD.id AND h.released_at IS NULL) THEN
            RAISE EXCEPTION 'gongwen: % is on hold and cannot be disposed of', OLD.archival_number USING ERRCODE = 'insufficient_privilege';
          END IF;
          IF gw_archive_expires(OLD.year, OLD.retention) IS NULL OR (now() AT TIME ZONE 'Asia/Shanghai')::date < gw_archive_expires(OLD.year, OLD.retention) THEN
            RAISE EXCEPTION 'gongwen: the retention period of % has not expired', OLD.archival_number USING ERRCODE = 'insufficient_privilege';
          END IF;
          RETURN NEW;
        END IF;
        RAISE EXCEPTION 'gongwen: filed item % is immutable', OLD.archival_number USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(
      `CREATE TRIGGER archive_items_guard BEFORE UPDATE OR DELETE ON archive_items FOR EACH ROW EXECUTE FUNCTION gw_archive_items_guard()`,
    );

    // Files: added while the item is not disposed; never changed, except their bytes removed by disposal.
    await q.query(`
      CREATE FUNCTION gw_archive_files_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE disposed timestamptz;
      BEGIN
        IF TG_OP = 'DELETE' THEN
          RAISE EXCEPTION 'gongwen: archived files cannot be deleted' USING ERRCODE = 'insufficient_privilege';
        END IF;
        SELECT disposed_at INTO disposed FROM archive_items WHERE id = NEW.item_id;
        IF TG_OP = 'INSERT' THEN
          IF disposed IS NOT NULL THEN
            RAISE EXCEPTION 'gongwen: the item has been disposed of' USING ERRCODE = 'insufficient_privilege';
          END IF;
          RETURN NEW;
        END IF;
        IF disposed IS NOT NULL AND OLD.data IS NOT NULL AND NEW.data IS NULL
           AND (to_jsonb(NEW) - 'data') = (to_jsonb(OLD) - 'data') THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION 'gongwen: archived files are immutable' USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(
      `CREATE TRIGGER archive_files_guard BEFORE INSERT OR UPDATE OR DELETE ON archive_files FOR EACH ROW EXECUTE FUNCTION gw_archive_files_guard()`,
    );

    // The register keeps its entries; an entry moves proposed → approved|rejected → executed and then never changes.
    await q.query(`
      CREATE FUNCTION gw_archive_disposals_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          RAISE EXCEPTION 'gongwen: disposal register entries are kept' USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF (to_jsonb(NEW) - ARRAY['status','decided_by','decided_at','decision_opinion','executed_by','executed_at'])
           <> (to_jsonb(OLD) - ARRAY['status','decided_by','decided_at','decision_opinion','executed_by','executed_at'])
           OR NOT ((OLD.status = 'proposed' AND NEW.status IN ('approved','rejected') AND OLD.decided_by IS NULL)
                   OR (OLD.status = 'approved' AND NEW.status = 'executed' AND NEW.decided_by = OLD.decided_by AND NEW.decided_at = OLD.decided_at)) THEN
          RAISE EXCEPTION 'gongwen: disposal register entry % cannot change that way', OLD.register_number USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(
      `CREATE TRIGGER archive_disposals_guard BEFORE UPDATE OR DELETE ON archive_disposals FOR EACH ROW EXECUTE FUNCTION gw_archive_disposals_guard()`,
    );

    // Holds are released, never removed or rewritten.
    await q.query(`
      CREATE FUNCTION gw_archive_holds_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' OR OLD.released_at IS NOT NULL OR NEW.released_at IS NULL
           OR (to_jsonb(NEW) - ARRAY['released_by','released_at','release_reason']) <> (to_jsonb(OLD) - ARRAY['released_by','released_at','release_reason']) THEN
          RAISE EXCEPTION 'gongwen: a hold can only be released, once' USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(
      `CREATE TRIGGER archive_holds_guard BEFORE UPDATE OR DELETE ON archive_holds FOR EACH ROW EXECUTE FUNCTION gw_archive_holds_guard()`,
    );

    // Append-only: the register's lines and the access log (gw_forbid_change comes from the Documents migration).
    await q.query(
      `CREATE TRIGGER archive_disposal_items_append_only BEFORE UPDATE OR DELETE ON archive_disposal_items FOR EACH ROW EXECUTE FUNCTION gw_forbid_change()`,
    );
    await q.query(
      `CREATE TRIGGER archive_access_log_append_only BEFORE UPDATE OR DELETE ON archive_access_log FOR EACH ROW EXECUTE FUNCTION gw_forbid_change()`,
    );
    for (const t of [
      'archive_items',
      'archive_files',
      'archive_disposals',
      'archive_disposal_items',
      'archive_access_log',
      'archive_holds',
    ]) {
      await q.query(`CREATE TRIGGER ${t}_no_truncate BEFORE TRUNCATE ON ${t} FOR EACH STATEMENT EXECUTE FUNCTION gw_forbid_change()`);
    }

    /**
     * The controlled disposal path: removes an item's content (metadata, processing record, file bytes) under an
     * approved register entry. The item trigger checks the entry, holds and retention again.
     */
    await q.query(`
      CREATE FUNCTION gw_archive_dispose(p_item uuid, p_disposal uuid) RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE archive_items SET metadata = NULL, processing_record = NULL, disposed_at = now(), disposal_id = p_disposal WHERE id = p_item;
        IF NOT FOUND THEN RAISE EXCEPTION 'gongwen: no archive item %', p_item; END IF;
        UPDATE archive_files SET data = NULL WHERE item_id = p_item AND data IS NOT NULL;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION gw_archive_dispose(uuid, uuid)`);
    await q.query(`DROP TRIGGER documents_archived_frozen ON documents`);
    await q.query(`DROP FUNCTION gw_documents_archived_frozen()`);
    // DROP TABLE fires no row or truncate triggers.
    await q.query(`DROP TABLE archive_access_log`);
    await q.query(`DROP TABLE archive_holds`);
    await q.query(`ALTER TABLE archive_items DROP CONSTRAINT archive_items_disposal_fk`);
    await q.query(`DROP TABLE archive_disposal_items`);
    await q.query(`DROP TABLE archive_disposals`);
    await q.query(`DROP TABLE archive_exports`);
    await q.query(`DROP TABLE archive_volume_items`);
    await q.query(`DROP TABLE archive_volumes`);
    await q.query(`DROP TABLE archive_files`);
    await q.query(`DROP TABLE archive_items`);
    await q.query(`DROP TABLE archive_class_counters`);
    await q.query(`DROP FUNCTION gw_archive_holds_guard()`);
    await q.query(`DROP FUNCTION gw_archive_disposals_guard()`);
    await q.query(`DROP FUNCTION gw_archive_files_guard()`);
    await q.query(`DROP FUNCTION gw_archive_items_guard()`);
    await q.query(`DROP FUNCTION gw_archive_expires(int, text)`);
    await q.query(`ALTER TABLE units DROP COLUMN archive_code`);
  }
}
