import { Module, type OnModuleInit } from '@nestjs/common';
import { ArchiveModule } from '../archive/archive.module.js';
import { DocumentsModule } from '../documents/documents.module.js';
import { TransitionEngine } from '../engine/transition-engine.js';
import { IncomingFiling } from './filing.js';
import { IncomingController } from './incoming.controller.js';
import { IncomingService } from './incoming.service.js';
import { incomingWorkflow } from './incoming.workflow.js';
import { IncomingRegister } from './register.js';
import { IncomingRemindersService } from './reminders.service.js';

/** Incoming documents (收文): the workflow registered with the engine, its routes, numbering, reminders and replies. */
@Module({
  imports: [DocumentsModule, ArchiveModule],
  controllers: [IncomingController],
  providers: [IncomingService, IncomingRegister, IncomingRemindersService, IncomingFiling],
  exports: [IncomingService, IncomingRemindersService],
})
export class IncomingModule implements OnModuleInit {
  constructor(private readonly engine: TransitionEngine) {}

  onModuleInit(): void {
    if (!this.engine.workflows.get(incomingWorkflow.id, incomingWorkflow.version)) this.engine.register(incomingWorkflow);
  }
}
