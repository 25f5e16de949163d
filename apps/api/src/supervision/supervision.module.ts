import { Module } from '@nestjs/common';
import { DocumentsModule } from '../documents/documents.module.js';
import { HolidayCalendarService } from './calendar.service.js';
import { SupervisionCards } from './cards.service.js';
import { SupervisionClock } from './clock.js';
import { SupervisionReports } from './reports.service.js';
import { HolidayCalendarController, SupervisionController } from './supervision.controller.js';
import { SupervisionService } from './supervision.service.js';

/** 督查督办: the supervision workflow on the engine, its colour-card sweep, reports and the holiday calendar. */
@Module({
  imports: [DocumentsModule],
  controllers: [SupervisionController, HolidayCalendarController],
  providers: [SupervisionClock, HolidayCalendarService, SupervisionService, SupervisionCards, SupervisionReports],
  exports: [SupervisionService, SupervisionCards, SupervisionClock, HolidayCalendarService],
})
export class SupervisionModule {}
