// Traces that follow one report: the HTTP request, the outbox relay's send, and the worker's export, one
// trace joined by W3C Trace Context. The request's `traceparent` is stored with the report and its
// outbox document; the relay's send span continues it and puts its own in the message's application
// properties; the worker's export span is that send span's child. Only the OpenTelemetry API is used
// here: with no SDK registered (locally, in most tests) every call is a no-op.
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';
import type { MessagePublisher, OutboundMessage } from '../services/ports';

const TRACER_NAME = 'report-exports';

const tracer = () => trace.getTracer(TRACER_NAME);

/** The W3C fields a carrier (message properties, a stored document) may hold; nothing else is read. */
const TRACE_FIELDS = ['traceparent', 'tracestate'] as const;

/** The context a carrier's `traceparent` (and `tracestate`) names, on top of `base`. */
function contextFrom(carrier: Record<string, unknown> | undefined, base: Context = ROOT_CONTEXT): Context {
  const fields: Record<string, string> = {};
  for (const field of TRACE_FIELDS) {
    const value = carrier?.[field];
    if (typeof value === 'string' && value.length <= 512) fields[field] = value;
  }
  return fields.traceparent === undefined ? base : propagation.extract(base, fields);
}

/** The `traceparent` of the active span, if there is one (what the outbox document will carry). */
export function activeTraceparent(): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

/**
 * Runs `fn` in a new span under `parent`, ending it when `fn` settles: an error is recorded on it (and
 * rethrown), anything else leaves the status unset.
 */
async function inSpan<T>(
  name: string,
  options: { kind: SpanKind; parent: Context; attributes?: Attributes },
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const span = tracer().startSpan(
    name,
    { kind: options.kind, attributes: options.attributes ?? {} },
    options.parent,
  );
  try {
    return await context.with(trace.setSpan(options.parent, span), () => fn(span));
  } catch (error) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({
      code: SpanStatusCode.ERROR,
      message: error instanceof Error ? error.message : String(error),
    });
    throw error;
  } finally {
    span.end();
  }
}

/** Sets attributes on the active span, if any (the worker's store writes annotate its export span). */
export function annotateActiveSpan(attributes: Attributes): void {
  trace.getActiveSpan()?.setAttributes(attributes);
}

/**
 * The HTTP request span (SERVER) of one function invocation. Its parent is the host's trace context for
 * the invocation when it has one (Azure), else the request's own `traceparent` header.
 */
export function inHttpSpan<T extends { status?: number }>(
  request: { method: string; headers: Headers },
  route: string,
  hostTraceparent: string | undefined,
  fn: () => Promise<T>,
): Promise<T> {
  const parent = contextFrom(
    hostTraceparent ? { traceparent: hostTraceparent } : { traceparent: request.headers.get('traceparent') },
    context.active(),
  );
  return inSpan(
    `${request.method} /api/${route}`,
    {
      kind: SpanKind.SERVER,
      parent,
      attributes: { 'http.request.method': request.method, 'http.route': `/api/${route}` },
    },
    async (span) => {
      const response = await fn();
      const status = response.status ?? 200;
      span.setAttribute('http.response.status_code', status);
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      return response;
    },
  );
}

/**
 * The publisher with a PRODUCER span per message: each one continues the trace the message's
 * `traceparent` names (the request's, copied from the outbox document) or else the active one (a retry
 * the worker schedules), and the message leaves with the send span's own `traceparent`.
 */
export function tracedPublisher(publisher: MessagePublisher, queueName: string): MessagePublisher {
  return {
    async publish(messages: OutboundMessage[]): Promise<void> {
      const spans: Span[] = [];
      const traced = messages.map((message) => {
        const properties = message.applicationProperties;
        const parent = contextFrom(properties, context.active());
        const span = tracer().startSpan(
          `send ${message.subject}`,
          {
            kind: SpanKind.PRODUCER,
            attributes: {
              'messaging.system': 'servicebus',
              'messaging.operation.type': 'send',
              'messaging.destination.name': queueName,
              'messaging.message.id': message.messageId,
              ...(properties.reportId ? { reportId: properties.reportId } : {}),
              ...(properties.tenantId ? { tenantId: properties.tenantId } : {}),
            },
          },
          parent,
        );
        spans.push(span);
        const carrier: Record<string, string> = {};
        propagation.inject(trace.setSpan(parent, span), carrier);
        const { traceparent: _old, tracestate: _oldState, ...rest } = properties;
        return { ...message, applicationProperties: { ...rest, ...carrier } };
      });
      try {
        await publisher.publish(traced);
      } catch (error) {
        for (const span of spans) {
          span.recordException(error instanceof Error ? error : String(error));
          span.setStatus({ code: SpanStatusCode.ERROR });
        }
        throw error;
      } finally {
        for (const span of spans) span.end();
      }
    },
  };
}

/** What an `ExportRequested` message says about its report, read defensively (it may be poison). */
function requestAttributes(body: unknown): Attributes {
  let value: unknown = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      return {};
    }
  }
  if (typeof value !== 'object' || value === null) return {};
  const attributes: Attributes = {};
  for (const key of ['reportId', 'tenantId', 'reportType', 'format'] as const) {
    const field = (value as Record<string, unknown>)[key];
    if (typeof field === 'string') attributes[key] = field;
  }
  return attributes;
}

/**
 * The worker's export span (CONSUMER) for one message: a child of the send span whose `traceparent`
 * the message carries, with the report's identity as attributes and the worker's outcome once known.
 * Rows, bytes and the final status are added by the store writes made inside it (see store.ts).
 */
export function inExportSpan<T extends string>(
  body: unknown,
  applicationProperties: Record<string, unknown> | undefined,
  fn: () => Promise<T>,
): Promise<T> {
  return inSpan(
    'export',
    {
      kind: SpanKind.CONSUMER,
      parent: contextFrom(applicationProperties, context.active()),
      attributes: {
        'messaging.system': 'servicebus',
        'messaging.operation.type': 'process',
        ...requestAttributes(body),
      },
    },
    async (span) => {
      const outcome = await fn();
      span.setAttribute('outcome', outcome);
      return outcome;
    },
  );
}
