// The messages of the report-requests queue: what the worker accepts, and the retry messages it sends.
// Their bodies' schemas are declared in src/domain/messages.ts.
import { PoisonMessageError } from '../../domain/errors';
import {
  chunkRequestSchema,
  exportRequestSchema,
  type ChunkRequest,
  type ExportRequest,
} from '../../domain/messages';
import type { OutboundMessage } from '../ports';

export type WorkItem = { kind: 'report'; request: ExportRequest } | { kind: 'chunk'; request: ChunkRequest };

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The message body (an object, or JSON text) as a request; PoisonMessageError when it is neither. */
export function parseWorkItem(body: unknown): WorkItem {
  const value = typeof body === 'string' ? safeJson(body) : body;
  const chunk = chunkRequestSchema.safeParse(value);
  if (chunk.success) return { kind: 'chunk', request: chunk.data };
  const parsed = exportRequestSchema.safeParse(value);
  if (!parsed.success)
    throw new PoisonMessageError(`not an ExportRequested message: ${parsed.error.message}`);
  return { kind: 'report', request: parsed.data };
}

/** The tenant and report a message names, from its body or else its application properties. */
export function reportNamedBy(
  body: unknown,
  properties: Record<string, unknown>,
): { tenantId: string; reportId: string } | undefined {
  const parsed = exportRequestSchema.safeParse(typeof body === 'string' ? safeJson(body) : body);
  const tenantId = parsed.success ? parsed.data.tenantId : properties.tenantId;
  const reportId = parsed.success ? parsed.data.reportId : properties.reportId;
  if (typeof tenantId !== 'string' || typeof reportId !== 'string' || !tenantId || !reportId)
    return undefined;
  return { tenantId, reportId };
}

/**
 * `body` sent (again: a retry, a fairness deferral, the next chunk of a window) with `messageId`,
 * delivered no earlier than `at` (at once when there is none).
 */
export function retryMessage(
  messageId: string,
  correlationId: string,
  body: ExportRequest | ChunkRequest,
  at?: Date,
): OutboundMessage {
  return {
    messageId,
    correlationId,
    subject: 'planId' in body ? 'ExportChunkRequested' : 'ExportRequested',
    applicationProperties: { tenantId: body.tenantId, reportId: body.reportId },
    body,
    ...(at ? { scheduledEnqueueTimeUtc: at } : {}),
  };
}
