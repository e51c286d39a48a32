// Webhooks: the endpoints a tenant's admins manage, and the delivery of the events of the tenant's reports
// to them. The events queue carries two kinds of message: a `ReportEvent` (relayed from the outbox, one
// per terminal transition), which fans out to every endpoint of the tenant that asked for its type, and
// a `WebhookRetry` (scheduled by a failed attempt, or sent by an admin's redelivery), one attempt of one
// delivery. A delivery record per event and endpoint keeps every attempt; a retry keeps the event's id,
// so receivers drop duplicates by `webhook-id`. After the last attempt of the schedule the delivery is
// Failed and the message is given up to the dead-letter queue. Knows nothing of Azure SDKs.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { isIP } from 'node:net';
import type { Principal } from '../domain/principal';
import { newSigningSecret, signedHeaders } from '../domain/webhook-signature';
import { blockedAddressReason, checkWebhookUrl, hostOf, isAllowedHost } from '../domain/webhook-url';
import {
  deliveryId,
  endpointView,
  nextAttemptDelayMs,
  rotateSecret,
  signingSecrets,
  WEBHOOK_EVENT_TYPES,
  type DeliveryAttempt,
  type WebhookDeliveryDocument,
  type WebhookEndpointDocument,
  type WebhookEndpointView,
  type WebhookEvent,
} from '../domain/webhooks';
import type { HostResolver, MessagePublisher, WebhookSender, WebhookStore } from './ports';

/** What the events queue's messages say, checked before anything is done with them. */
const eventSchema = z.object({
  type: z.enum(WEBHOOK_EVENT_TYPES),
  id: z.string().min(1),
  timestamp: z.string().min(1),
  data: z.object({ reportId: z.string().min(1) }).catchall(z.unknown()),
});
const reportEventMessage = z.object({ tenantId: z.string().min(1), event: eventSchema });
const retryMessage = z.object({
  tenantId: z.string().min(1),
  deliveryId: z.string().min(1),
  attempt: z.number().int().min(1),
});

const RETRY_SUBJECT = 'WebhookRetry';

/** A delivery given up after its last attempt: thrown so that its message ends in the dead-letter queue. */
class WebhookDeliveryFailedError extends Error {
  constructor(readonly deliveryId: string) {
    super(`webhook delivery ${deliveryId} failed its last attempt`);
    this.name = 'WebhookDeliveryFailedError';
  }
}

export interface WebhookServiceOptions {
  store: WebhookStore;
  /** Resolves an endpoint's host when it is registered (the sender checks again at every delivery). */
  resolve: HostResolver;
  send: WebhookSender;
  /** The events queue: scheduled retries and redeliveries. */
  publisher: MessagePublisher;
  allowedHosts: readonly string[];
  retryScheduleSeconds: readonly number[];
  secretGraceSeconds: number;
  /** Seconds a delivery record is kept. */
  retentionSeconds: number;
  now?: () => Date;
  newId?: () => string;
  newSecret?: () => string;
}

export interface WebhookInput {
  url: string;
  events: WebhookEndpointDocument['events'];
  description: string;
}

export type CreateResult =
  | { kind: 'created'; endpoint: WebhookEndpointView; secret: string }
  | { kind: 'invalid'; errors: Record<string, string[]> };

/** An attempt or a delivery as the API lists it. */
export type DeliveryView = Omit<WebhookDeliveryDocument, 'kind' | 'tenantId' | 'ttl' | 'id' | 'event'> & {
  deliveryId: string;
};

export type HandleOutcome = 'delivered' | 'retry-scheduled' | 'failed' | 'skipped' | 'no-endpoints';

export interface WebhookService {
  create(principal: Principal, input: WebhookInput): Promise<CreateResult>;
  list(principal: Principal): Promise<WebhookEndpointView[]>;
  get(principal: Principal, id: string): Promise<WebhookEndpointView | undefined>;
  delete(principal: Principal, id: string): Promise<boolean>;
  /** A new secret for the endpoint (shown once); the old one still signs for the grace period. */
  rotateSecret(principal: Principal, id: string): Promise<{ secret: string } | undefined>;
  deliveries(principal: Principal, id: string, limit: number): Promise<DeliveryView[] | undefined>;
  /** Delivers the event of a delivery again, now, as a new attempt. */
  redeliver(principal: Principal, id: string, deliveryId: string): Promise<DeliveryView | undefined>;
  /** One message of the events queue: a `ReportEvent`, or a `WebhookRetry` (which names a delivery). */
  handle(body: unknown): Promise<HandleOutcome[]>;
}

const view = (d: WebhookDeliveryDocument): DeliveryView => ({
  deliveryId: d.id,
  endpointId: d.endpointId,
  eventId: d.eventId,
  eventType: d.eventType,
  reportId: d.reportId,
  status: d.status,
  attempts: d.attempts,
  createdAt: d.createdAt,
  updatedAt: d.updatedAt,
  nextAttemptAt: d.nextAttemptAt,
});

/** The body a receiver gets: `{ type, id, timestamp, data }`. */
const bodyOf = (event: WebhookEvent): string =>
  JSON.stringify({ type: event.type, id: event.id, timestamp: event.timestamp, data: event.data });

export function createWebhookService(options: WebhookServiceOptions): WebhookService {
  const { store, publisher, allowedHosts, retryScheduleSeconds } = options;
  const now = options.now ?? (() => new Date());
  const newId = options.newId ?? (() => `wh_${randomUUID().replaceAll('-', '')}`);
  const newSecret = options.newSecret ?? newSigningSecret;

  /** The problem with `raw` as an endpoint URL, names resolved; undefined when it may be called. */
  async function urlProblem(raw: string): Promise<string | undefined> {
    const checked = checkWebhookUrl(raw, allowedHosts);
    if (!checked.ok) return checked.message;
    const host = hostOf(checked.url);
    if (isAllowedHost(checked.url, allowedHosts) || isIP(host) !== 0) return undefined;
    let addresses: string[];
    try {
      addresses = await options.resolve(host);
    } catch {
      return `host ${host} does not resolve`;
    }
    if (addresses.length === 0) return `host ${host} does not resolve`;
    const refused = addresses.map(blockedAddressReason).find(Boolean);
    return refused ? `must not resolve to a ${refused} address` : undefined;
  }

  async function ownEndpoint(principal: Principal, id: string) {
    return id === '' ? undefined : store.getEndpoint(principal.tenantId, id);
  }

  /** Sends attempt `attempt` of the delivery to `endpoint`; records it, and schedules the next or gives up. */
  async function attemptDelivery(
    delivery: WebhookDeliveryDocument,
    endpoint: WebhookEndpointDocument,
    event: WebhookEvent,
    attempt: number,
  ): Promise<HandleOutcome> {
    const at = now();
    const body = bodyOf(event);
    const response = await options.send(
      endpoint.url,
      signedHeaders(signingSecrets(endpoint, at), event.id, at, body),
      body,
    );
    const record: DeliveryAttempt = { attempt, at: at.toISOString(), ...response };
    const ok = response.error === null && response.statusCode !== null && response.statusCode < 300;
    const updated: WebhookDeliveryDocument = {
      ...delivery,
      attempts: [...delivery.attempts, record],
      updatedAt: now().toISOString(),
      nextAttemptAt: null,
      status: ok ? 'Delivered' : 'Pending',
    };
    if (ok) {
      await store.saveDelivery(updated);
      return 'delivered';
    }
    const delay = nextAttemptDelayMs(attempt, retryScheduleSeconds);
    if (delay === undefined) {
      await store.saveDelivery({ ...updated, status: 'Failed' });
      return 'failed';
    }
    const due = new Date(at.getTime() + delay);
    // The retry is sent before the record is written: a crash in between repeats this attempt (the same
    // webhook-id), and the retry's message id lets Service Bus drop the second scheduling.
    await publisher.publish([
      {
        messageId: `webhook-${delivery.id}-${attempt + 1}`,
        correlationId: event.id,
        subject: RETRY_SUBJECT,
        applicationProperties: { tenantId: delivery.tenantId, reportId: delivery.reportId },
        body: { tenantId: delivery.tenantId, deliveryId: delivery.id, attempt: attempt + 1 },
        scheduledEnqueueTimeUtc: due,
      },
    ]);
    await store.saveDelivery({ ...updated, nextAttemptAt: due.toISOString() });
    return 'retry-scheduled';
  }

  async function fanOut(tenantId: string, event: WebhookEvent): Promise<HandleOutcome[]> {
    const endpoints = (await store.listEndpoints(tenantId)).filter((e) => e.events.includes(event.type));
    if (endpoints.length === 0) return ['no-endpoints'];
    return Promise.all(
      endpoints.map(async (endpoint): Promise<HandleOutcome> => {
        const id = deliveryId(event.id, endpoint.id);
        const existing = await store.getDelivery(tenantId, id);
        // The event again (a re-sent outbox doc, a redelivered message): its delivery is under way or over.
        if (existing && (existing.status !== 'Pending' || existing.attempts.length > 1)) return 'skipped';
        const at = now().toISOString();
        const delivery: WebhookDeliveryDocument = existing ?? {
          id,
          kind: 'webhook-delivery',
          tenantId,
          endpointId: endpoint.id,
          eventId: event.id,
          eventType: event.type,
          reportId: event.data.reportId,
          event,
          status: 'Pending',
          attempts: [],
          createdAt: at,
          updatedAt: at,
          nextAttemptAt: null,
          ttl: options.retentionSeconds,
        };
        if (!existing) await store.saveDelivery(delivery);
        return attemptDelivery({ ...delivery, attempts: [] }, endpoint, event, 1).then((outcome) =>
          outcome === 'failed' ? Promise.reject(new WebhookDeliveryFailedError(id)) : outcome,
        );
      }),
    );
  }

  async function retry(tenantId: string, id: string, attempt: number): Promise<HandleOutcome> {
    const delivery = await store.getDelivery(tenantId, id);
    if (!delivery) return 'skipped';
    const last = delivery.attempts.at(-1)?.attempt ?? 0;
    if (delivery.status === 'Failed') {
      // The message of the last attempt again: on to the dead-letter queue.
      if (attempt >= last) throw new WebhookDeliveryFailedError(id);
      return 'skipped';
    }
    if (delivery.status === 'Delivered' || attempt <= last) return 'skipped';
    const endpoint = await store.getEndpoint(tenantId, delivery.endpointId);
    if (!endpoint) {
      await store.saveDelivery({
        ...delivery,
        status: 'Failed',
        nextAttemptAt: null,
        updatedAt: now().toISOString(),
      });
      return 'failed';
    }
    const outcome = await attemptDelivery(delivery, endpoint.doc, delivery.event, attempt);
    if (outcome === 'failed') throw new WebhookDeliveryFailedError(id);
    return outcome;
  }

  return {
    async create(principal, input) {
      const problem = await urlProblem(input.url);
      if (problem) return { kind: 'invalid', errors: { url: [problem] } };
      const at = now().toISOString();
      const secret = newSecret();
      const endpoint: WebhookEndpointDocument = {
        id: newId(),
        kind: 'webhook',
        tenantId: principal.tenantId,
        url: input.url,
        events: [...new Set(input.events)],
        description: input.description,
        secrets: [{ secret, createdAt: at, expiresAt: null }],
        createdAt: at,
        createdBy: principal.userId,
      };
      await store.createEndpoint(endpoint);
      return { kind: 'created', endpoint: endpointView(endpoint), secret };
    },

    async list(principal) {
      return (await store.listEndpoints(principal.tenantId)).map(endpointView);
    },

    async get(principal, id) {
      const found = await ownEndpoint(principal, id);
      return found && endpointView(found.doc);
    },

    delete: (principal, id) => store.deleteEndpoint(principal.tenantId, id),

    async rotateSecret(principal, id) {
      for (let attempt = 0; attempt < 5; attempt++) {
        const found = await ownEndpoint(principal, id);
        if (!found) return undefined;
        const secret = newSecret();
        const rotated = rotateSecret(found.doc, secret, now(), options.secretGraceSeconds);
        if ((await store.replaceEndpoint(rotated, found.etag)) === 'replaced') return { secret };
      }
      throw new Error(`webhook ${id}: too many concurrent changes`);
    },

    async deliveries(principal, id, limit) {
      if (!(await ownEndpoint(principal, id))) return undefined;
      return (await store.listDeliveries(principal.tenantId, id, limit)).map(view);
    },

    async redeliver(principal, id, delivery) {
      if (!(await ownEndpoint(principal, id))) return undefined;
      const found = await store.getDelivery(principal.tenantId, delivery);
      if (!found || found.endpointId !== id) return undefined;
      const attempt = (found.attempts.at(-1)?.attempt ?? 0) + 1;
      const pending: WebhookDeliveryDocument = {
        ...found,
        status: 'Pending',
        nextAttemptAt: now().toISOString(),
        updatedAt: now().toISOString(),
      };
      await store.saveDelivery(pending);
      await publisher.publish([
        {
          messageId: `webhook-${found.id}-${attempt}`,
          correlationId: found.eventId,
          subject: RETRY_SUBJECT,
          applicationProperties: { tenantId: found.tenantId, reportId: found.reportId },
          body: { tenantId: found.tenantId, deliveryId: found.id, attempt },
        },
      ]);
      return view(pending);
    },

    async handle(body) {
      if (typeof body === 'object' && body !== null && 'deliveryId' in body) {
        const message = retryMessage.parse(body);
        return [await retry(message.tenantId, message.deliveryId, message.attempt)];
      }
      const message = reportEventMessage.parse(body);
      return fanOut(message.tenantId, message.event as WebhookEvent);
    },
  };
}
