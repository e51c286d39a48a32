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

export async function readJsonBody(request: HttpRequest, maxBytes = MAX_JSON_BODY_BYTES): Promise<JsonBody> {
  const declared = Number(request.headers.get('content-length') ?? 0);
  if (declared > maxBytes) return { kind: 'too-large' };
  const bytes = Buffer.from(await request.arrayBuffer());
  if (bytes.length > maxBytes) return { kind: 'too-large' };
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

const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** `x-correlation-id` when well-formed, else the W3C trace id of `traceparent`, else a new id. */
export function correlationIdOf(request: HttpRequest): string {
  const given = request.headers.get('x-correlation-id')?.trim();
  if (given && CORRELATION_ID.test(given)) return given;
  const trace = TRACEPARENT.exec(request.headers.get('traceparent')?.trim() ?? '');
  if (trace?.[1] && !/^0+$/.test(trace[1])) return trace[1];
  return randomUUID();
}
