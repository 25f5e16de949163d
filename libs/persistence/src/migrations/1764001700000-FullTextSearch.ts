import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Full-text search over document bodies (GET /documents?q=), Chinese included.
 *
 * document_texts holds the plain text of each document's newest revision (sections and attachments, block by
 * block), with a GIN index on its character bigrams (gw_bigrams, as the title search). A trigger on revisions keeps
 * it: a new revision replaces the text, so only events that change content (which always store a revision) touch
 * it — a transition that records a signature or a receipt never re-indexes. When a disposal empties a revision's
 * content (gw_archive_dispose), the document's text goes too: a disposed record must not be findable by its words.
 */
export class FullTextSearch1764001700000 implements MigrationInterface {
  name = 'FullTextSearch1764001700000';

  async up(q: QueryRunner): Promise<void> {
    // block texts in document order: paragraphs and headings, list items, table cells (a row's cells joined by spaces)
    await q.query(`
      CREATE FUNCTION gw_blocks_text(blocks jsonb) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT string_agg(
                 CASE b->>'type'
                   WHEN 'list' THEN (SELECT string_agg(x, E'\\n') FROM jsonb_array_elements_text(b->'items') AS x)
                   WHEN 'table' THEN (SELECT string_agg(x, ' ') FROM jsonb_array_elements(b->'rows') AS r, jsonb_array_elements_text(r) AS x)
                   ELSE b->>'text'
                 END, E'\\n' ORDER BY o)
          FROM jsonb_array_elements(CASE WHEN jsonb_typeof(blocks) = 'array' THEN blocks ELSE '[]'::jsonb END) WITH ORDINALITY AS e(b, o)
      $$`);
    await q.query(`
      CREATE FUNCTION gw_content_text(c jsonb) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT coalesce(string_agg(t, E'\\n' ORDER BY part, o), '')
          FROM (
            SELECT 1 AS part, o, gw_blocks_text(s->'blocks') AS t
              FROM jsonb_array_elements(CASE WHEN jsonb_typeof(c->'sections') = 'array' THEN c->'sections' ELSE '[]'::jsonb END)
                   WITH ORDINALITY AS e(s, o)
            UNION ALL
            SELECT 2, o, concat_ws(E'\\n', a->>'title', gw_blocks_text(a->'blocks'))
              FROM jsonb_array_elements(CASE WHEN jsonb_typeof(c->'attachments') = 'array' THEN c->'attachments' ELSE '[]'::jsonb END)
                   WITH ORDINALITY AS e(a, o)
          ) parts
         WHERE t IS NOT NULL AND t <> ''
      $$`);
    await q.query(`
      CREATE TABLE document_texts (
        document_id uuid PRIMARY KEY REFERENCES documents(id),
        revision_number int NOT NULL,
        body text NOT NULL
      )`);
    await q.query(`CREATE INDEX document_texts_bigrams_gin ON document_texts USING gin (gw_bigrams(body))`);
    await q.query(`
      CREATE FUNCTION gw_index_revision_text() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          IF NEW.content IS NOT NULL THEN
            INSERT INTO document_texts (document_id, revision_number, body)
              VALUES (NEW.document_id, NEW.number, gw_content_text(NEW.content))
              ON CONFLICT (document_id) DO UPDATE SET revision_number = EXCLUDED.revision_number, body = EXCLUDED.body
              WHERE document_texts.revision_number < EXCLUDED.revision_number;
          END IF;
        ELSIF NEW.content IS NULL THEN
          DELETE FROM document_texts WHERE document_id = NEW.document_id;
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER revisions_index_text AFTER INSERT ON revisions FOR EACH ROW EXECUTE FUNCTION gw_index_revision_text()`);
    await q.query(
      `CREATE TRIGGER revisions_unindex_disposed AFTER UPDATE OF content ON revisions FOR EACH ROW WHEN (NEW.content IS NULL)
         EXECUTE FUNCTION gw_index_revision_text()`,
    );
    // the documents there are already: each one's newest revision that still has its content
    await q.query(`
      INSERT INTO document_texts (document_id, revision_number, body)
      SELECT DISTINCT ON (r.document_id) r.document_id, r.number, gw_content_text(r.content)
        FROM revisions r
       WHERE NOT EXISTS (SELECT 1 FROM revisions x WHERE x.document_id = r.document_id AND x.content IS NULL)
       ORDER BY r.document_id, r.number DESC`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER revisions_unindex_disposed ON revisions`);
    await q.query(`DROP TRIGGER revisions_index_text ON revisions`);
    await q.query(`DROP FUNCTION gw_index_revision_text()`);
    await q.query(`DROP TABLE document_texts`);
    await q.query(`DROP FUNCTION gw_content_text(jsonb)`);
    await q.query(`DROP FUNCTION gw_blocks_text(jsonb)`);
  }
}
