// Notifications: the events a report's terminal transition produces, the webhook endpoints a tenant
// registers to receive them, and the record of each delivery. An event is written as an outbox document
// in the same write as the transition (see ReportStore.replace), relayed to the events queue and
// delivered to every endpoint of the tenant that asked for its type. Knows nothing of Azure SDKs.
import {
  reportView,
  type OutboxDocument,
  type ReportDocument,
  type ReportStatus,
  type ReportView,
} from './report';

export const WEBHOOK_EVENT_TYPES = ['report.completed', 'report.failed', 'report.cancelled'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

const EVENT_OF_STATUS: Partial<Record<ReportStatus, WebhookEventType>> = {
  Completed: 'report.completed',
  Failed: 'report.failed',
  Cancelled: 'report.cancelled',
};

/** The event a report entering `status` produces; undefined for a status that is not terminal. */
const eventTypeFor = (status: ReportStatus): WebhookEventType | undefined => EVENT_OF_STATUS[status];

/** What a receiver gets: the body of the POST, signed as the Standard Webhooks specification says. */
export interface WebhookEvent {
  type: WebhookEventType;
  /** The event's id: the `webhook-id` of every delivery of it, retries included. */
  id: string;
  timestamp: string;
  /** The report as the API shows it, without a download link (the receiver fetches one itself). */
  data: ReportView;
}

/** The body of a `ReportEvent` message (the event outbox document's payload). */
export interface ReportEventMessage {
  tenantId: string;
  event: WebhookEvent;
}

/** The id of the event a report's terminal transition produces: a report ends once, so one per report. */
export const reportEventId = (reportId: string): string => `evt_${reportId}`;

/**
 * The event outbox document of `report`, which has just ended (its status is terminal), written in the
 * same transactional batch as the report. Undefined when the report's status is not terminal.
 */
export function reportEventOutbox(report: ReportDocument): OutboxDocument | undefined {
  const type = eventTypeFor(report.status);
  if (!type) return undefined;
  const id = reportEventId(report.id);
  const timestamp = report.completedAt ?? new Date().toISOString();
  const payload: ReportEventMessage = {
    tenantId: report.tenantId,
    event: { type, id, timestamp, data: reportView(report) },
  };
  return {
    id: `outbox-${id}`,
    kind: 'outbox',
    tenantId: report.tenantId,
    reportId: report.id,
    messageType: 'ReportEvent',
    payload,
    correlationId: report.correlationId,
    ...(report.traceparent ? { traceparent: report.traceparent } : {}),
    createdAt: timestamp,
    dispatchedAt: null,
    attempts: 0,
    lastError: null,
  };
}

/** A signing secret of an endpoint: `whsec_` and base64 of random bytes (Standard Webhooks). */
export interface WebhookSecret {
  secret: string;
  createdAt: string;
  /** When a rotated-out secret stops signing; null for the current one. */
  expiresAt: string | null;
}

/** A tenant's webhook endpoint, in the `reports` container (partition key /tenantId). */
export interface WebhookEndpointDocument {
  id: string;
  kind: 'webhook';
  tenantId: string;
  url: string;
  events: WebhookEventType[];
  description: string;
  /** The current secret first; rotated-out ones until they expire. */
  secrets: WebhookSecret[];
  createdAt: string;
  createdBy: string;
}

const validAt = (secret: WebhookSecret, now: Date): boolean =>
  secret.expiresAt === null || Date.parse(secret.expiresAt) > now.getTime();

/** The secrets that still sign at `now`: the current one and rotated-out ones not yet expired. */
export const signingSecrets = (endpoint: WebhookEndpointDocument, now: Date): string[] =>
  endpoint.secrets.filter((s) => validAt(s, now)).map((s) => s.secret);

/** The endpoint with `secret` as its current secret, the old ones expiring `graceSeconds` from `now`. */
export function rotateSecret(
  endpoint: WebhookEndpointDocument,
  secret: string,
  now: Date,
  graceSeconds: number,
): WebhookEndpointDocument {
  const expiresAt = new Date(now.getTime() + graceSeconds * 1000).toISOString();
  return {
    ...endpoint,
    secrets: [
      { secret, createdAt: now.toISOString(), expiresAt: null },
      ...endpoint.secrets
        .filter((s) => validAt(s, now))
        .map((s) => ({ ...s, expiresAt: s.expiresAt ?? expiresAt })),
    ],
  };
}

/** The endpoint as the API shows it: never a secret. */
export interface WebhookEndpointView {
  id: string;
  url: string;
  events: WebhookEventType[];
  description: string;
  createdAt: string;
}

export const endpointView = (endpoint: WebhookEndpointDocument): WebhookEndpointView => ({
  id: endpoint.id,
  url: endpoint.url,
  events: endpoint.events,
  description: endpoint.description,
  createdAt: endpoint.createdAt,
});

export type DeliveryStatus = 'Pending' | 'Delivered' | 'Failed';

/** One POST of an event to an endpoint. */
export interface DeliveryAttempt {
  attempt: number;
  at: string;
  /** The receiver's HTTP status; null when none came (timeout, refused connection, refused address). */
  statusCode: number | null;
  durationMs: number;
  /** Why the attempt failed; null for a 2xx. */
  error: string | null;
  /** The start of the receiver's answer, at most RESPONSE_EXCERPT_LENGTH characters. */
  responseExcerpt: string | null;
}

/** The deliveries of one event to one endpoint, in the endpoint's tenant partition. */
export interface WebhookDeliveryDocument {
  id: string;
  kind: 'webhook-delivery';
  tenantId: string;
  endpointId: string;
  eventId: string;
  eventType: WebhookEventType;
  reportId: string;
  /** The event as delivered (every attempt sends it as it was). */
  event: WebhookEvent;
  status: DeliveryStatus;
  attempts: DeliveryAttempt[];
  createdAt: string;
  updatedAt: string;
  /** When the next attempt is due, while Pending after a failed attempt. */
  nextAttemptAt: string | null;
  ttl?: number;
}

/** The one delivery record of event `eventId` to endpoint `endpointId`. */
export const deliveryId = (eventId: string, endpointId: string): string => `dlv_${eventId}_${endpointId}`;

/** How many characters of a receiver's answer are kept. */
export const RESPONSE_EXCERPT_LENGTH = 256;

/**
 * The delay before attempt `attempt + 1` after attempt `attempt` failed, from the schedule of delays
 * (seconds) between attempts; undefined when `attempt` was the last one.
 */
export function nextAttemptDelayMs(attempt: number, scheduleSeconds: readonly number[]): number | undefined {
  const seconds = scheduleSeconds[attempt - 1];
  return seconds === undefined ? undefined : Math.round(seconds * 1000);
}
