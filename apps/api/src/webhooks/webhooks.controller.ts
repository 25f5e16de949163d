import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import type { AuthUser } from '../auth/auth.types.js';
import { CurrentUser, RequireScope } from '../auth/decorators.js';
import { ApiProblems, ApiZodBody, ApiZodQuery, ApiZodResponse, named } from '../common/openapi.js';
import { ZodPipe } from '../common/zod.js';
import { WEBHOOK_EVENT_TYPES } from './events.js';
import { WebhooksService } from './webhooks.service.js';

const EventType = named('WebhookEventType', z.enum(WEBHOOK_EVENT_TYPES));
const Url = z.url({ protocol: /^https?$/ }).max(2000);
const CreateBody = z.strictObject({
  url: Url,
  eventTypes: z.array(EventType).min(1).max(WEBHOOK_EVENT_TYPES.length),
  description: z.string().trim().max(500).optional(),
});
const UpdateBody = z.strictObject({
  url: Url.optional(),
  eventTypes: z.array(EventType).min(1).max(WEBHOOK_EVENT_TYPES.length).optional(),
  description: z.string().trim().max(500).optional(),
  active: z.boolean().optional(),
});
const RotateBody = z.strictObject({ overlapHours: z.number().min(0).max(168).default(24) });
const LogQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  before: z.iso.datetime({ offset: true }).optional(),
});

const Subscription = named(
  'WebhookSubscription',
  z.object({
    id: z.uuid(),
    url: z.string(),
    eventTypes: z.array(EventType),
    description: z.string(),
    ownedByToken: z.boolean(),
    active: z.boolean(),
    disabledReason: z.string().nullable(),
    disabledAt: z.string().nullable(),
    activeSecrets: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  }),
);
const SubscriptionWithSecret = named(
  'WebhookSubscriptionWithSecret',
  Subscription.extend({ secret: z.string().describe('whsec_…: shown only in this answer') }),
);
const RotatedSecret = named(
  'WebhookSecretRotation',
  Subscription.extend({ secret: z.string(), previousSecretsExpireAt: z.string().nullable() }),
);
const Attempt = named(
  'WebhookAttempt',
  z.object({
    attempt: z.number().int(),
    startedAt: z.string(),
    durationMs: z.number().int(),
    request: z.object({ url: z.string(), headers: z.record(z.string(), z.string()), body: z.string() }),
    responseStatus: z.number().int().nullable(),
    responseBody: z.string().nullable(),
    error: z.string().nullable(),
  }),
);
const Delivery = named(
  'WebhookDelivery',
  z.object({
    id: z.uuid(),
    webhookId: z.string(),
    eventType: z.string(),
    documentId: z.uuid().nullable(),
    status: z.enum(['pending', 'delivered', 'failed']),
    attempts: z.number().int(),
    nextAttemptAt: z.string().nullable(),
    createdAt: z.string(),
    finishedAt: z.string().nullable(),
    payload: z.record(z.string(), z.unknown()),
    log: z.array(Attempt),
  }),
);

@ApiTags('webhooks')
@Controller('api/webhooks/subscriptions')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Get()
  @RequireScope('read')
  @ApiOperation({ operationId: 'listWebhookSubscriptions', summary: 'Your webhook subscriptions' })
  @ApiZodResponse(200, named('WebhookSubscriptionList', z.object({ items: z.array(Subscription) })))
  @ApiProblems()
  list(@CurrentUser() user: AuthUser) {
    return this.webhooks.list(user);
  }

  @Post()
  @ApiOperation({
    operationId: 'createWebhookSubscription',
    summary:
      'Subscribe an endpoint to events (Standard Webhooks v1); the signing secret is shown only in this answer. Made with a personal API token, it ends with that token',
  })
  @ApiZodBody(CreateBody)
  @ApiZodResponse(201, SubscriptionWithSecret)
  @ApiProblems()
  create(@CurrentUser() user: AuthUser, @Body(new ZodPipe(CreateBody)) body: z.infer<typeof CreateBody>) {
    return this.webhooks.create(user, body);
  }

  @Get(':id')
  @RequireScope('read')
  @ApiOperation({ operationId: 'getWebhookSubscription', summary: 'One of your webhook subscriptions' })
  @ApiZodResponse(200, Subscription)
  @ApiProblems(404)
  get(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.webhooks.get(user, id);
  }

  @Patch(':id')
  @ApiOperation({
    operationId: 'updateWebhookSubscription',
    summary: 'Change the endpoint, the events or the description, or disable or enable it (enabling sends what waited)',
  })
  @ApiZodBody(UpdateBody)
  @ApiZodResponse(200, Subscription)
  @ApiProblems(404)
  update(@CurrentUser() user: AuthUser, @Param('id') id: string, @Body(new ZodPipe(UpdateBody)) body: z.infer<typeof UpdateBody>) {
    return this.webhooks.update(user, id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteWebhookSubscription', summary: 'Delete a subscription and its delivery log' })
  @ApiProblems(404)
  async remove(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    await this.webhooks.remove(user, id);
  }

  @Post(':id/rotate-secret')
  @ApiOperation({
    operationId: 'rotateWebhookSecret',
    summary: 'A new signing secret (shown once); the previous one keeps signing too for overlapHours (default 24)',
  })
  @ApiZodBody(RotateBody)
  @ApiZodResponse(201, RotatedSecret)
  @ApiProblems(404)
  rotate(@CurrentUser() user: AuthUser, @Param('id') id: string, @Body(new ZodPipe(RotateBody)) body: z.infer<typeof RotateBody>) {
    return this.webhooks.rotate(user, id, body.overlapHours);
  }

  @Post(':id/ping')
  @HttpCode(202)
  @ApiOperation({ operationId: 'pingWebhook', summary: 'Send a test event (webhook.ping) to the endpoint now' })
  @ApiZodBody(z.strictObject({}))
  @ApiZodResponse(202, Delivery)
  @ApiProblems(404, 409)
  ping(@CurrentUser() user: AuthUser, @Param('id') id: string, @Body(new ZodPipe(z.strictObject({}).optional())) _b: unknown) {
    return this.webhooks.ping(user, id);
  }

  @Get(':id/deliveries')
  @RequireScope('read')
  @ApiOperation({
    operationId: 'listWebhookDeliveries',
    summary: 'The delivery log, newest first: each event with its attempts (request, response status and first bytes, duration)',
  })
  @ApiZodQuery(z.object(LogQuery.shape))
  @ApiZodResponse(200, named('WebhookDeliveryList', z.object({ items: z.array(Delivery) })))
  @ApiProblems(404)
  deliveries(@CurrentUser() user: AuthUser, @Param('id') id: string, @Query(new ZodPipe(LogQuery)) q: z.infer<typeof LogQuery>) {
    return this.webhooks.deliveries(user, id, q);
  }

  @Post(':id/deliveries/:deliveryId/redeliver')
  @HttpCode(202)
  @ApiOperation({ operationId: 'redeliverWebhook', summary: 'Send a delivery again (the same webhook-id), after those before it' })
  @ApiZodBody(z.strictObject({}))
  @ApiZodResponse(202, Delivery)
  @ApiProblems(404)
  redeliver(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Param('deliveryId') deliveryId: string,
    @Body(new ZodPipe(z.strictObject({}).optional())) _b: unknown,
  ) {
    return this.webhooks.redeliver(user, id, deliveryId);
  }
}
