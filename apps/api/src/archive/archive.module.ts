import { Module } from '@nestjs/common';
import { DocumentsModule } from '../documents/documents.module.js';
import { ArchiveController } from './archive.controller.js';
import { ArchiveService } from './archive.service.js';
import { DisposalService } from './disposal.service.js';
import { ExportsService } from './exports.service.js';
import { FilingService } from './filing.service.js';
import { ArchiveJobs } from './jobs.js';
import { PrepareService } from './prepare.service.js';
import { RecordsChecksController } from './records-checks.controller.js';
import { RecordsChecksService } from './records-checks.service.js';
import { TrustedRootsController } from './trusted-roots.controller.js';
import { TrustedRootsService } from './trusted-roots.service.js';

/**
 * The archive (DA/T 22-2015): filing on the FILE event, item preparation (render, page count, stamp), catalogues,
 * volumes and their exports, retention and disposal, all under /api/archive for archivists. pg-boss (schema
 * `pgboss` in the application's database) starts and stops with this module.
 */
@Module({
  imports: [DocumentsModule],
  controllers: [ArchiveController, RecordsChecksController, TrustedRootsController],
  providers: [
    ArchiveJobs,
    FilingService,
    PrepareService,
    ExportsService,
    ArchiveService,
    DisposalService,
    RecordsChecksService,
    TrustedRootsService,
  ],
  exports: [ArchiveJobs, FilingService, ExportsService, ArchiveService, DisposalService],
})
export class ArchiveModule {}
