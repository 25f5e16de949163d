import { Module } from '@nestjs/common';
import { DocumentsModule } from '../documents/documents.module.js';
import { WebhookDelivery } from './delivery.js';
import { WebhooksController } from './webhooks.controller.js';
import { WebhooksService } from './webhooks.service.js';

/** Standard Webhooks: subscriptions, delivery from the outbox through pg-boss, the delivery log. */
@Module({
  imports: [DocumentsModule],
  controllers: [WebhooksController],
  providers: [WebhookDelivery, WebhooksService],
  exports: [WebhookDelivery],
})
export class WebhooksModule {}
