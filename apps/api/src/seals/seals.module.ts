import { Module } from '@nestjs/common';
import { DocumentsModule } from '../documents/documents.module.js';
import { DocumentSealsController, SealsController } from './seals.controller.js';
import { SealedPdfService } from './sealed-pdf.service.js';
import { SealsService } from './seals.service.js';

@Module({
  imports: [DocumentsModule],
  controllers: [SealsController, DocumentSealsController],
  providers: [SealsService, SealedPdfService],
  exports: [SealsService],
})
export class SealsModule {}
