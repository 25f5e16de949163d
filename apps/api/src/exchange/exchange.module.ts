import { Module } from '@nestjs/common';
import { ClassifiedModule } from '../classified/classified.module.js';
import { DocumentsModule } from '../documents/documents.module.js';
import { ExchangeController } from './exchange.controller.js';
import { ExchangeService } from './exchange.service.js';

/**
 * Exchange between units (公文交换). It imports ClassifiedModule so that the classified module's REGISTER hook
 * (which numbers the copies) is registered, and runs, before the delivery, which gives recipient units theirs.
 */
@Module({ imports: [DocumentsModule, ClassifiedModule], controllers: [ExchangeController], providers: [ExchangeService] })
export class ExchangeModule {}
