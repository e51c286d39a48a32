// Delivers a signed webhook with Node's own http(s) client: one POST, no redirect followed (a 3xx is an
// answer like any other non-2xx), a timeout for the whole exchange, and at most a short excerpt of the
// answer read. The connection goes only to an address the URL policy allows: the socket's DNS lookup is
// ours, and it refuses a host that resolves to any private, loopback, link-local or metadata address
// unless the host is allowed (WEBHOOK_ALLOWED_HOSTS). Checking the addresses the socket actually uses,
// rather than an earlier lookup, leaves no gap for a DNS answer that changes in between.
import { promises as dns, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import { blockedAddressReason, checkWebhookUrl, isAllowedHost } from '../domain/webhook-url';
import { RESPONSE_EXCERPT_LENGTH } from '../domain/webhooks';
import type { HostResolver, WebhookResponse, WebhookSender } from '../services/ports';

/** Every address the system resolver gives for `host`. */
export const systemResolver: HostResolver = async (host) =>
  (await dns.lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);

export interface WebhookSenderOptions {
  allowedHosts: readonly string[];
  timeoutMs: number;
  /** The DNS resolver (a stub in tests). */
  resolve?: HostResolver;
  userAgent?: string;
}

class RefusedAddressError extends Error {}

/** The socket's lookup: `resolve`, then the policy on every address; the first allowed one is used. */
function policyLookup(resolve: HostResolver, allowed: boolean): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (addresses) => {
        const refused = allowed ? undefined : addresses.map(blockedAddressReason).find(Boolean);
        const first = addresses[0];
        if (refused || first === undefined) {
          const why = refused ? `resolves to a ${refused} address` : 'resolves to no address';
          callback(new RefusedAddressError(`${hostname} ${why}`), '', 4);
          return;
        }
        const all: LookupAddress[] = addresses.map((address) => ({ address, family: isIP(address) }));
        if ((options as { all?: boolean }).all) {
          (callback as unknown as (error: null, addresses: LookupAddress[]) => void)(null, all);
        } else callback(null, first, isIP(first));
      },
      (error: unknown) => callback(error as NodeJS.ErrnoException, '', 4),
    );
  };
}

export function createWebhookSender(options: WebhookSenderOptions): WebhookSender {
  const resolve = options.resolve ?? systemResolver;
  return (url, headers, body) =>
    new Promise<WebhookResponse>((done) => {
      const started = performance.now();
      const finish = (result: Omit<WebhookResponse, 'durationMs'>): void =>
        done({ ...result, durationMs: Math.round(performance.now() - started) });
      const checked = checkWebhookUrl(url, options.allowedHosts);
      if (!checked.ok) {
        finish({ statusCode: null, error: `refused: the URL ${checked.message}`, responseExcerpt: null });
        return;
      }
      const target = checked.url;
      const client = target.protocol === 'https:' ? https : http;
      const request = client.request(target, {
        method: 'POST',
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': options.userAgent ?? 'report-exports-webhooks/1',
        },
        lookup: policyLookup(resolve, isAllowedHost(target, options.allowedHosts)),
        timeout: options.timeoutMs,
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      request.on('timeout', () => request.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
      request.on('error', (error) => {
        const refused = error instanceof RefusedAddressError;
        const text = error.name === 'AbortError' ? `no answer within ${options.timeoutMs} ms` : error.message;
        finish({ statusCode: null, error: refused ? `refused: ${text}` : text, responseExcerpt: null });
      });
      request.on('response', (response) => {
        const statusCode = response.statusCode ?? null;
        let excerpt = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          excerpt += chunk;
          if (excerpt.length >= RESPONSE_EXCERPT_LENGTH) response.destroy();
        });
        const settle = (): void => {
          const ok = statusCode !== null && statusCode >= 200 && statusCode < 300;
          finish({
            statusCode,
            error: ok ? null : `answered ${statusCode ?? 'nothing'}`,
            responseExcerpt: excerpt.slice(0, RESPONSE_EXCERPT_LENGTH) || null,
          });
        };
        response.on('end', settle);
        response.on('close', settle);
        response.on('error', settle);
      });
      request.end(body);
    });
}
