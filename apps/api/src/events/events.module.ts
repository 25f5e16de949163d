import { Module } from '@nestjs/common';
import { DocumentsModule } from '../documents/documents.module.js';
import { EventsController } from './events.controller.js';
import { EventsService } from './events.service.js';

/** The events feed (GET /api/events): issue 23, point 3. */
@Module({ imports: [DocumentsModule], controllers: [EventsController], providers: [EventsService] })
export class EventsModule {}
