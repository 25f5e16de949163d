import { Module } from '@nestjs/common';
import { DocumentsModule } from '../documents/documents.module.js';
import { ClassifiedController } from './classified.controller.js';
import { ClassifiedService } from './classified.service.js';

@Module({ imports: [DocumentsModule], controllers: [ClassifiedController], providers: [ClassifiedService], exports: [ClassifiedService] })
export class ClassifiedModule {}
