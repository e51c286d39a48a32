// The webhook sender: its refusals are made on the addresses a (stubbed) resolver gives, before any
// connection; a redirect is an answer, never followed; a receiver that does not answer times out; only
// the start of an answer is kept. Receivers are on 127.0.0.1, the only address a test may connect to.
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createWebhookSender } from '../../../src/adapters/webhook-sender';
import { RESPONSE_EXCERPT_LENGTH } from '../../../src/domain/webhooks';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

async function serve(listener: RequestListener): Promise<{ url: string; hits: number[] }> {
  const hits: number[] = [];
  const server = createServer((request, response) => {
    hits.push(Date.now());
    listener(request, response);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, hits };
}

const headers = { 'webhook-id': 'evt_1', 'webhook-timestamp': '1', 'webhook-signature': 'v1,x' };

describe('createWebhookSender', () => {
  it.each([
    ['10.0.0.8', 'private'],
    ['169.254.169.254', 'metadata'],
    ['127.0.0.1', 'loopback'],
    ['fd12::1', 'private'],
  ])('refuses a host that resolves to %s (%s) without connecting', async (address, reason) => {
    const lookedUp: string[] = [];
    const send = createWebhookSender({
      allowedHosts: [],
      timeoutMs: 2_000,
      resolve: (host) => {
        lookedUp.push(host);
        return Promise.resolve([address]);
      },
    });
    const result = await send('https://hooks.example.com/x', headers, '{}');
    expect(lookedUp).toEqual(['hooks.example.com']);
    expect(result).toMatchObject({
      statusCode: null,
      error: `refused: hooks.example.com resolves to a ${reason} address`,
    });
  });

  it('refuses plain http and inside addresses of hosts that are not allowed', async () => {
    const send = createWebhookSender({
      allowedHosts: [],
      timeoutMs: 2_000,
      resolve: () => Promise.reject(new Error('no DNS')),
    });
    expect(await send('http://hooks.example.com/x', headers, '{}')).toMatchObject({
      error: 'refused: the URL must be an https URL',
    });
    expect(await send('https://10.0.0.1/x', headers, '{}')).toMatchObject({
      error: 'refused: the URL must not point at a private address',
    });
  });

  it('posts the body and headers to an allowed host, and keeps a 2xx as delivered', async () => {
    let seen: { method?: string; headers?: Record<string, unknown>; body?: string } = {};
    const receiver = await serve((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (c: Buffer) => chunks.push(c));
      request.on('end', () => {
        seen = { method: request.method, headers: request.headers, body: Buffer.concat(chunks).toString() };
        response.writeHead(204).end();
      });
    });
    const send = createWebhookSender({ allowedHosts: ['127.0.0.1'], timeoutMs: 2_000 });
    const result = await send(receiver.url, headers, '{"a":1}');
    expect(result).toMatchObject({ statusCode: 204, error: null, responseExcerpt: null });
    expect(seen).toMatchObject({
      method: 'POST',
      body: '{"a":1}',
      headers: { 'webhook-id': 'evt_1', 'content-type': 'application/json' },
    });
  });

  it('does not follow a redirect: the 3xx is a failed attempt, its target is never called', async () => {
    const target = await serve((_request, response) => response.writeHead(200).end());
    const redirecting = await serve((_request, response) =>
      response.writeHead(307, { Location: target.url }).end(),
    );
    const send = createWebhookSender({ allowedHosts: ['127.0.0.1'], timeoutMs: 2_000 });
    expect(await send(redirecting.url, headers, '{}')).toMatchObject({
      statusCode: 307,
      error: 'answered 307',
    });
    expect(target.hits).toEqual([]);
  });

  it('gives up on a receiver that does not answer within the timeout', async () => {
    const silent = await serve(() => undefined);
    const send = createWebhookSender({ allowedHosts: ['127.0.0.1'], timeoutMs: 300 });
    expect(await send(silent.url, headers, '{}')).toMatchObject({
      statusCode: null,
      error: 'no answer within 300 ms',
    });
  });

  it('keeps only the start of an answer', async () => {
    const chatty = await serve((_request, response) => response.writeHead(500).end('x'.repeat(100_000)));
    const send = createWebhookSender({ allowedHosts: ['127.0.0.1'], timeoutMs: 2_000 });
    const result = await send(chatty.url, headers, '{}');
    expect(result).toMatchObject({ statusCode: 500, error: 'answered 500' });
    expect(result.responseExcerpt).toHaveLength(RESPONSE_EXCERPT_LENGTH);
  });
});
