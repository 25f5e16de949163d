import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Volume exports as DOCX come in two styles: `docx`, a filing box per DA/T 22-2015 (cover and spine, the item-level
 * 归档文件目录 with 档号 and 密级, the items, 备考表), now the default; and `docx-volume`, the bound volume (案卷) of
 * GB/T 9705 for offices that still use it.
 */
export class FilingBoxExport1764001400000 implements MigrationInterface {
  name = 'FilingBoxExport1764001400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE archive_exports DROP CONSTRAINT IF EXISTS archive_exports_format_check`);
    await q.query(
      `ALTER TABLE archive_exports ADD CONSTRAINT archive_exports_format_check CHECK (format IN ('bagit', 'docx', 'docx-volume'))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM archive_exports WHERE format = 'docx-volume'`);
    await q.query(`ALTER TABLE archive_exports DROP CONSTRAINT IF EXISTS archive_exports_format_check`);
    await q.query(`ALTER TABLE archive_exports ADD CONSTRAINT archive_exports_format_check CHECK (format IN ('bagit', 'docx'))`);
  }
}
