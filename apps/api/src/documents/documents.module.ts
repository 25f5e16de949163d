import { Module } from '@nestjs/common';
import { TransitionEngine } from '../engine/transition-engine.js';
import { DocumentsController } from './documents.controller.js';
import { DocxController } from './docx.controller.js';
import { FilesController } from './files.controller.js';
import { MarksController } from './marks.controller.js';
import { ProcessingSheetController } from './processing-sheet.controller.js';
import { DocumentsService } from './documents.service.js';
import { IdempotencyPruner } from './idempotency-pruner.service.js';
import { NotificationsController, NotificationsHub, OutboxRelay } from './notifications.js';
import { PrintRenderer } from './print-render.js';
import { RemindersService } from './reminders.service.js';

@Module({
  controllers: [DocxController, FilesController, DocumentsController, NotificationsController, ProcessingSheetController, MarksController],
  providers: [TransitionEngine, DocumentsService, RemindersService, IdempotencyPruner, OutboxRelay, NotificationsHub, PrintRenderer],
  exports: [TransitionEngine, DocumentsService, RemindersService, NotificationsHub],
})
export class DocumentsModule {}
