import { Module } from '@nestjs/common';
import { DocumentsModule } from '../documents/documents.module.js';
import { SignaturesService } from './signatures.service.js';

@Module({ imports: [DocumentsModule], providers: [SignaturesService], exports: [SignaturesService] })
export class SignaturesModule {}
