import { Module } from '@nestjs/common';
import { DocumentsController } from './documents.controller.js';
import { DocxController } from './docx.controller.js';
import { FilesController } from './files.controller.js';
import { DocumentsService } from './documents.service.js';

@Module({ controllers: [DocxController, FilesController, DocumentsController], providers: [DocumentsService], exports: [DocumentsService] })
export class DocumentsModule {}
