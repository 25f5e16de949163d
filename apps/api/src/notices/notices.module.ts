import { Module } from '@nestjs/common';
import { NoticesController, NoticesService } from './notices.controller.js';

/** A user's notices (user_notices), written by the outbox relay. */
@Module({ controllers: [NoticesController], providers: [NoticesService] })
export class NoticesModule {}
