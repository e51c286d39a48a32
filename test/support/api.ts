// A small client of the report API for end-to-end tests through the local host: authenticated calls,
// waiting for a report to reach a status, and downloading its file through the SAS redirect. Every
// response it receives is checked against the OpenAPI document (status, headers, body).
import { expect } from 'vitest';
import type { ReportTypeRegistry } from '../../src/domain/report-types';
import { contractValidator } from './openapi-validator';

export interface ApiResponse {
  status: number;
  headers: Headers;
  /** The JSON body; `{}` when there is none. */
  body: Record<string, unknown>;
}

export interface ApiClient {
  /** One call as the test's user; `base` overrides the host's URL (e.g. a second host process). */
  call: (method: string, path: string, body?: unknown, base?: string) => Promise<ApiResponse>;
  /** The report resource. */
  report: (id: string, base?: string) => Promise<Record<string, unknown>>;
  /** Polls the report until its status is one of `statuses`; fails after `timeoutMs`. */
  untilStatus: (
    id: string,
    statuses: string[],
    timeoutMs?: number,
    base?: string,
  ) => Promise<Record<string, unknown>>;
  /** The file through `GET .../download`: a 303 to a SAS link, which answers 200 with the bytes. */
  download: (id: string) => Promise<{ bytes: Buffer; response: Response }>;
}

export const FINISHED = ['Completed', 'Failed', 'Cancelled'];

/** Polls `probe` every `everyMs` until it returns a value; fails naming `what` after `timeoutMs`. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/**
 * `baseUrl` and `token` are read at each call, so a test may start its host or issue its token later;
 * `reportTypes` is the host's registry when it is not the built-in one, so the contract checked is the
 * one that host serves.
 */
export function apiClient(options: {
  baseUrl: () => string | undefined;
  token: () => string;
  reportTypes?: ReportTypeRegistry;
}): ApiClient {
  const call = async (method: string, path: string, body?: unknown, base?: string): Promise<ApiResponse> => {
    const response = await fetch(`${base ?? options.baseUrl() ?? ''}${path}`, {
      method,
      redirect: 'manual',
      headers: {
        authorization: `Bearer ${options.token()}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    contractValidator(options.reportTypes).check({
      method,
      url: path,
      status: response.status,
      headers: response.headers,
      text,
    });
    return {
      status: response.status,
      headers: response.headers,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    };
  };
  const report = async (id: string, base?: string) =>
    (await call('GET', `/api/reports/${id}`, undefined, base)).body;
  return {
    call,
    report,
    untilStatus: (id, statuses, timeoutMs = 60_000, base) =>
      until(
        `report ${id} to be ${statuses.join('/')}`,
        async () => {
          const current = await report(id, base);
          return statuses.includes(current.status as string) ? current : undefined;
        },
        timeoutMs,
      ),
    download: async (id) => {
      const redirect = await call('GET', `/api/reports/${id}/download`);
      expect(redirect.status).toBe(303);
      const location = redirect.headers.get('location') ?? '';
      expect(location).toContain('sig=');
      const response = await fetch(location);
      expect(response.status).toBe(200);
      return { bytes: Buffer.from(await response.arrayBuffer()), response };
    },
  };
}
