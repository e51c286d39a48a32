// The webhook routes' contract: the body of `POST /api/webhooks` as the handler validates it, and the
// shapes of the answers (an endpoint, the secret shown once, a delivery with its attempts). The OpenAPI
// document is generated from the same schemas (./openapi.ts).
import { z } from 'zod';
import { MAX_WEBHOOK_URL_LENGTH } from '../domain/webhook-url';
import { WEBHOOK_EVENT_TYPES } from '../domain/webhooks';
import { reportResourceSchema } from './contract';

const MAX_DESCRIPTION_LENGTH = 500;
/** Most deliveries one page of `GET /api/webhooks/{id}/deliveries` lists. */
const MAX_DELIVERIES_PAGE = 100;

export const webhookInputSchema = z
  .strictObject({
    url: z.string().min(1).max(MAX_WEBHOOK_URL_LENGTH),
    events: z
      .array(z.enum(WEBHOOK_EVENT_TYPES))
      .min(1)
      .max(WEBHOOK_EVENT_TYPES.length * 2),
    description: z.string().max(MAX_DESCRIPTION_LENGTH).default(''),
  })
  .meta({ id: 'WebhookInput' });

export const deliveriesQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(MAX_DELIVERIES_PAGE).default(20),
});

export const webhookEndpointSchema = z
  .object({
    id: z.string(),
    url: z.string(),
    events: z.array(z.enum(WEBHOOK_EVENT_TYPES)),
    description: z.string(),
    createdAt: z.string(),
  })
  .meta({ id: 'WebhookEndpoint' });

export const createdWebhookSchema = webhookEndpointSchema
  .extend({ secret: z.string().describe('The signing secret (`whsec_...`): shown only in this answer.') })
  .meta({ id: 'CreatedWebhookEndpoint' });

export const webhookListSchema = z
  .object({ items: z.array(webhookEndpointSchema) })
  .meta({ id: 'WebhookList' });

export const webhookSecretSchema = z
  .object({
    secret: z.string().describe('The new signing secret; the previous one still signs for a while.'),
  })
  .meta({ id: 'WebhookSecret' });

export const deliverySchema = z
  .object({
    deliveryId: z.string(),
    endpointId: z.string(),
    eventId: z.string().describe('The `webhook-id` of every attempt of this delivery.'),
    eventType: z.enum(WEBHOOK_EVENT_TYPES),
    reportId: z.string(),
    status: z.enum(['Pending', 'Delivered', 'Failed']),
    attempts: z.array(
      z.object({
        attempt: z.number().int(),
        at: z.string(),
        statusCode: z.number().int().nullable(),
        durationMs: z.number().int(),
        error: z.string().nullable(),
        responseExcerpt: z.string().nullable(),
      }),
    ),
    createdAt: z.string(),
    updatedAt: z.string(),
    nextAttemptAt: z.string().nullable(),
  })
  .meta({ id: 'WebhookDelivery' });

export const deliveryListSchema = z
  .object({ items: z.array(deliverySchema) })
  .meta({ id: 'WebhookDeliveryList' });

export const webhookEventSchema = z
  .object({
    type: z.enum(WEBHOOK_EVENT_TYPES),
    id: z.string().describe('The event’s id, also in the `webhook-id` header: the same for every retry.'),
    timestamp: z.string().describe('When the report ended (ISO 8601).'),
    data: reportResourceSchema.omit({ downloadUrl: true, downloadExpiresAt: true }).meta({
      id: 'ReportEventData',
      description:
        'The report resource without a download link: fetch `/api/reports/{reportId}/download` for one.',
    }),
  })
  .meta({ id: 'ReportEvent' });
