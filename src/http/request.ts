// Reading HTTP requests safely: bounded JSON bodies and the correlation id.
import { randomUUID } from 'node:crypto';
import type { HttpRequest } from '@azure/functions';

/** Request bodies of the API are small JSON documents. */
export const MAX_JSON_BODY_BYTES = 64 * 1024;

export type JsonBody =
  | { kind: 'ok'; value: unknown }
  | { kind: 'empty' }
  | { kind: 'too-large' }
  | { kind: 'bad-json' }
  | { kind: 'forbidden-key'; key: string };

/**
 * The body's bytes, read chunk by chunk with a running count: undefined as soon as they pass `maxBytes`,
 * when the stream is cancelled, so a body without Content-Length (chunked) is never held beyond the limit.
 */
async function readBounded(body: HttpRequest['body'], maxBytes: number): Promise<Buffer | undefined> {
  if (body === null) return Buffer.alloc(0);
  const reader: ReadableStreamDefaultReader<unknown> = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!(value instanceof Uint8Array)) throw new TypeError('request body chunks must be bytes');
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel();
        return undefined;
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  return Buffer.concat(chunks, size);
}

export async function readJsonBody(
  request: Pick<HttpRequest, 'headers' | 'body'>,
  maxBytes = MAX_JSON_BODY_BYTES,
): Promise<JsonBody> {
  const declared = Number(request.headers.get('content-length') ?? 0);
  if (declared > maxBytes) return { kind: 'too-large' };
  const bytes = await readBounded(request.body, maxBytes);
  if (bytes === undefined) return { kind: 'too-large' };
  const text = bytes.toString('utf8').trim();
  if (text === '') return { kind: 'empty' };
  let forbidden: string | undefined;
  let value: unknown;
  try {
    // `__proto__` parses as an own key, which validators may skip silently; refuse it outright.
    value = JSON.parse(text, (key, v: unknown) => {
      if (key === '__proto__') forbidden = key;
      return v;
    });
  } catch {
    return { kind: 'bad-json' };
  }
  return forbidden ? { kind: 'forbidden-key', key: forbidden } : { kind: 'ok', value };
}

/** The response header that carries the correlation id back to the caller. */
export const CORRELATION_ID_HEADER = 'x-correlation-id';

const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;
// W3C Trace Context: version-traceid-parentid-flags; versions after 00 may append fields.
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}(-.*)?$/;
const MAX_TRACEPARENT_LENGTH = 512;

/** The trace id of a valid `traceparent` header, else undefined. */
function traceIdOf(header: string): string | undefined {
  if (header.length > MAX_TRACEPARENT_LENGTH) return undefined;
  const [, version, traceId, parentId, extra] = TRACEPARENT.exec(header) ?? [];
  if (version === undefined || traceId === undefined || parentId === undefined) return undefined;
  if (version === 'ff' || (version === '00' && extra !== undefined)) return undefined;
  if (/^0+$/.test(traceId) || /^0+$/.test(parentId)) return undefined;
  return traceId;
}

/** `x-correlation-id` when well-formed, else the W3C trace id of a valid `traceparent`, else a new id. */
export function correlationIdOf(request: Pick<HttpRequest, 'headers'>): string {
  const given = request.headers.get(CORRELATION_ID_HEADER)?.trim();
  if (given && CORRELATION_ID.test(given)) return given;
  return traceIdOf(request.headers.get('traceparent')?.trim() ?? '') ?? randomUUID();
}
