import { Module } from '@nestjs/common';
import { DelegationsController } from './delegations.controller.js';
import { DelegationsService } from './delegations.service.js';

/** Delegations (委托/代签): a leader's signing and reading handed to a deputy for a period. */
@Module({
  controllers: [DelegationsController],
  providers: [DelegationsService],
})
export class DelegationsModule {}
