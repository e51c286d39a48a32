import { describe, expect, it } from 'vitest';
import { correlationIdOf, MAX_JSON_BODY_BYTES, readJsonBody } from '../../../src/http/request';

const CHUNK_BYTES = 16 * 1024;

/** A chunked body (no Content-Length) of `totalBytes` spaces after `prefix`, counting what gets pulled. */
function chunkedBody(totalBytes: number, prefix = '') {
  const seen = { pulledBytes: 0, cancelled: false };
  const head = new TextEncoder().encode(prefix);
  let remaining = totalBytes;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (remaining <= 0) {
        controller.close();
        return;
      }
      const size = Math.min(CHUNK_BYTES, remaining);
      const chunk = new Uint8Array(size).fill(0x20);
      if (seen.pulledBytes === 0) chunk.set(head.subarray(0, size));
      remaining -= size;
      seen.pulledBytes += size;
      controller.enqueue(chunk);
    },
    cancel() {
      seen.cancelled = true;
    },
  });
  return { request: { headers: new Headers(), body: stream }, seen };
}

describe('readJsonBody', () => {
  it('stops reading a chunked body at the limit and answers too-large, never buffering the rest', async () => {
    const { request, seen } = chunkedBody(64 * 1024 * 1024, '{"format":"csv","pad":"');
    await expect(readJsonBody(request)).resolves.toEqual({ kind: 'too-large' });
    expect(seen.cancelled).toBe(true);
    // At most the limit plus the chunk that crossed it and one the stream queued ahead.
    expect(seen.pulledBytes).toBeLessThanOrEqual(MAX_JSON_BODY_BYTES + 2 * CHUNK_BYTES);
  });

  it('reads a chunked body up to the limit whole', async () => {
    const { request, seen } = chunkedBody(MAX_JSON_BODY_BYTES, '{"format":"csv"}');
    await expect(readJsonBody(request)).resolves.toEqual({ kind: 'ok', value: { format: 'csv' } });
    expect(seen.pulledBytes).toBe(MAX_JSON_BODY_BYTES);
    expect(seen.cancelled).toBe(false);
  });

  it('refuses a declared Content-Length over the limit without reading the body', async () => {
    const { request, seen } = chunkedBody(MAX_JSON_BODY_BYTES + 1);
    request.headers.set('content-length', String(MAX_JSON_BODY_BYTES + 1));
    await expect(readJsonBody(request)).resolves.toEqual({ kind: 'too-large' });
    expect(seen.pulledBytes).toBeLessThanOrEqual(CHUNK_BYTES); // what the stream queues ahead by itself
  });

  it('takes a missing body as empty', async () => {
    await expect(readJsonBody({ headers: new Headers(), body: null })).resolves.toEqual({ kind: 'empty' });
  });
});

describe('correlationIdOf', () => {
  const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
  const TRACEPARENT = `00-${TRACE_ID}-b7ad6b7169203331-01`;
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  const of = (headers: Record<string, string>): string => correlationIdOf({ headers: new Headers(headers) });

  it('takes a well-formed x-correlation-id first, then the traceparent trace id, then a new id', () => {
    expect(of({ 'x-correlation-id': 'abc-123', traceparent: TRACEPARENT })).toBe('abc-123');
    expect(of({ 'x-correlation-id': 'x'.repeat(128) })).toBe('x'.repeat(128));
    expect(of({ traceparent: TRACEPARENT })).toBe(TRACE_ID);
    const fresh = of({});
    expect(fresh).toMatch(UUID);
    expect(of({})).not.toBe(fresh);
  });

  it.each(['x'.repeat(129), 'a b', 'a/b', 'é', '${x}', '<script>', 'a,b'])(
    'ignores the x-correlation-id %j',
    (given) => {
      expect(of({ 'x-correlation-id': given, traceparent: TRACEPARENT })).toBe(TRACE_ID);
      expect(of({ 'x-correlation-id': given })).toMatch(UUID);
    },
  );

  it.each([
    `ff-${TRACE_ID}-b7ad6b7169203331-01`,
    `00-${'0'.repeat(32)}-b7ad6b7169203331-01`,
    `00-${TRACE_ID}-${'0'.repeat(16)}-01`,
    `00-${TRACE_ID.toUpperCase()}-b7ad6b7169203331-01`,
    `00-${TRACE_ID}-b7ad6b7169203331-01-more`,
    `00-${TRACE_ID}-b7ad6b716920333-01`,
    `01-${TRACE_ID}-b7ad6b7169203331-01-${'x'.repeat(600)}`,
    '00-0-0-00',
  ])('ignores the traceparent %j', (traceparent) => {
    expect(of({ traceparent })).toMatch(UUID);
  });

  it('accepts a later traceparent version with extra fields', () => {
    expect(of({ traceparent: `cc-${TRACE_ID}-b7ad6b7169203331-01-what-the-future-holds` })).toBe(TRACE_ID);
  });
});
