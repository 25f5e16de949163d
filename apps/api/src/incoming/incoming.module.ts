import { Module, type OnModuleInit } from '@nestjs/common';
import { DocumentsModule } from '../documents/documents.module.js';
import { TransitionEngine } from '../engine/transition-engine.js';
import { incomingWorkflow } from './incoming.workflow.js';

/** Incoming documents (收文): the workflow registered with the engine, its routes, numbering, reminders and replies. */
@Module({
  imports: [DocumentsModule],
  controllers: [],
  providers: [],
  exports: [],
})
export class IncomingModule implements OnModuleInit {
  constructor(private readonly engine: TransitionEngine) {}

  onModuleInit(): void {
    if (!this.engine.workflows.get(incomingWorkflow.id, incomingWorkflow.version)) this.engine.register(incomingWorkflow);
  }
}
