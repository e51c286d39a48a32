// The local host runs function definitions like the Azure host: HTTP routing and conversion, timers,
// Service Bus queue triggers through the real SDK, and Cosmos DB triggers by polling.
import { randomUUID } from 'node:crypto';
import type { CosmosClient } from '@azure/cosmos';
import { HttpResponse } from '@azure/functions';
import { ServiceBusClient } from '@azure/service-bus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testCosmosClient } from '../../support/clients';
import { startLocalHost, type LocalHost } from '../../../dev/local-host';
import { parseHostJson } from '../../../dev/local-host/host-json';
import {
  defineCosmosDB,
  defineHttp,
  defineServiceBusQueue,
  defineTimer,
  type FunctionDefinition,
} from '../../../src/functions/definition';

const queueName = `local-host-${randomUUID().slice(0, 8)}`;
const failingQueue = `${queueName}-fail`;
const concurrencyQueue = `${queueName}-conc`;
const feedContainer = `feed-${randomUUID().slice(0, 8)}`;

const timerTicks: string[] = [];
const received: { body: unknown; messageId: unknown; deliveryCount: unknown; correlationId: unknown }[] = [];
const failingDeliveries: number[] = [];
let concurrent = 0;
let maxConcurrent = 0;
let concurrencyDone = 0;
const feedBatches: { id: string }[][] = [];
const logLines: string[] = [];

const definitions: FunctionDefinition[] = [
  defineHttp('echo', {
    route: 'things/{id}/{sub?}',
    methods: ['GET', 'POST', 'PUT'],
    handler: async (request, context) => ({
      status: request.method === 'POST' ? 201 : 200,
      headers: { 'x-invocation': context.invocationId, 'x-echo': request.headers.get('x-test') ?? '' },
      jsonBody: {
        method: request.method,
        params: request.params,
        query: Object.fromEntries(request.query),
        body: request.method === 'GET' ? null : await request.text(),
      },
    }),
  }),
  defineHttp('defaultRoute', {
    handler: () => new HttpResponse({ status: 204, headers: { 'x-kind': 'HttpResponse' } }),
  }),
  defineHttp('boom', {
    route: 'boom',
    methods: ['GET'],
    handler: () => {
      throw new Error('handler bug');
    },
  }),
  defineTimer('tick', {
    schedule: '%TICK_SCHEDULE%',
    handler: (timer, context) => {
      timerTicks.push(timer.scheduleStatus.next);
      context.debug('nothing to do');
    },
  }),
  defineTimer('news', {
    schedule: '%TICK_SCHEDULE%',
    handler: (_timer, context) => {
      context.log('did something');
    },
  }),
  defineServiceBusQueue('consume', {
    connection: 'SERVICEBUS',
    queueName,
    handler: (message, context) => {
      received.push({
        body: message,
        messageId: context.triggerMetadata?.messageId,
        deliveryCount: context.triggerMetadata?.deliveryCount,
        correlationId: context.triggerMetadata?.correlationId,
      });
    },
  }),
  defineServiceBusQueue('failOnce', {
    connection: 'SERVICEBUS',
    queueName: failingQueue,
    handler: (_message, context) => {
      const count = Number(context.triggerMetadata?.deliveryCount);
      failingDeliveries.push(count);
      if (count === 1) throw new Error('first delivery fails');
    },
  }),
  defineServiceBusQueue('slow', {
    connection: 'SERVICEBUS',
    queueName: concurrencyQueue,
    handler: async () => {
      concurrent++;
      maxConcurrent = Math.max(maxConcurrent, concurrent);
      await new Promise((r) => setTimeout(r, 150));
      concurrent--;
      concurrencyDone++;
    },
  }),
  defineCosmosDB('feed', {
    connection: 'COSMOS',
    databaseName: '%COSMOS_DATABASE_NAME%',
    containerName: feedContainer,
    leaseContainerName: 'leases',
    maxItemsPerInvocation: 2,
    handler: (documents: unknown[]) => {
      feedBatches.push(documents as { id: string }[]);
    },
  }),
];

let host: LocalHost;
let serviceBus: ServiceBusClient;
let cosmos: CosmosClient;

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

beforeAll(async () => {
  cosmos = testCosmosClient();
  const database = cosmos.database('reportexports');
  await database.containers.createIfNotExists({ id: feedContainer, partitionKey: { paths: ['/pk'] } });
  await database.container(feedContainer).items.create({ id: 'before-start', pk: 'p' });
  serviceBus = new ServiceBusClient(process.env.SERVICEBUS ?? '');
  host = await startLocalHost({
    definitions,
    port: 0,
    env: { ...process.env, TICK_SCHEDULE: '*/1 * * * * *', COSMOS_DATABASE_NAME: 'reportexports' },
    hostJson: parseHostJson({
      version: '2.0',
      extensions: { http: { routePrefix: 'api' }, serviceBus: { maxConcurrentCalls: 3 } },
    }),
    changeFeedPollMs: 100,
    log: (line) => logLines.push(line),
  });
});

afterAll(async () => {
  await host?.stop();
  await serviceBus?.close();
  cosmos?.dispose();
});

describe('HTTP', () => {
  it('binds route params, query, headers and body, and keeps the status', async () => {
    const response = await fetch(`${host.url}/api/things/42/extra?x=1&y=two`, {
      method: 'POST',
      headers: { 'x-test': 'hello', 'content-type': 'text/plain' },
      body: 'payload',
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-echo')).toBe('hello');
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    expect(await response.json()).toEqual({
      method: 'POST',
      params: { id: '42', sub: 'extra' },
      query: { x: '1', y: 'two' },
      body: 'payload',
    });
  });

  it('leaves an optional param out when the path omits it', async () => {
    const response = await fetch(`${host.url}/api/things/7`);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { params: unknown }).params).toEqual({ id: '7' });
  });

  it('uses the function name as the route when none is given, and accepts HttpResponse objects', async () => {
    const response = await fetch(`${host.url}/api/defaultRoute`);
    expect(response.status).toBe(204);
    expect(response.headers.get('x-kind')).toBe('HttpResponse');
  });

  it('answers 404 when no route matches and 405 with Allow when the method is wrong, as problem+json', async () => {
    const missing = await fetch(`${host.url}/api/nothing-here`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/problem+json');
    expect(await missing.json()).toMatchObject({
      status: 404,
      title: 'Not found.',
      detail: 'No function serves /api/nothing-here.',
    });
    expect((await fetch(`${host.url}/things/1`)).status).toBe(404); // no /api prefix
    const wrong = await fetch(`${host.url}/api/things/1`, { method: 'DELETE' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, POST, PUT');
    expect(wrong.headers.get('content-type')).toBe('application/problem+json');
    expect(await wrong.json()).toMatchObject({
      status: 405,
      detail: '/api/things/1 answers GET, POST, PUT, not DELETE.',
    });
  });

  it('turns a handler that throws into a bare 500 and logs the error', async () => {
    const response = await fetch(`${host.url}/api/boom`);
    expect(response.status).toBe(500);
    expect(await response.text()).toBe('');
    expect(logLines.some((l) => /^boom \(.+\) Failed in \d+ ms: Error: handler bug/.test(l))).toBe(true);
  });

  it('logs one line per invocation with name, id, duration and outcome', async () => {
    const response = await fetch(`${host.url}/api/things/1`);
    const id = response.headers.get('x-invocation') ?? 'missing';
    expect(logLines.filter((l) => l.startsWith(`echo (${id}) Succeeded in `))).toHaveLength(1);
  });
});

describe('timers', () => {
  it('fires on its NCRONTAB schedule, resolved from an app setting', async () => {
    await waitFor(() => timerTicks.length >= 2, 5_000);
    const [first = '', second = ''] = timerTicks;
    expect(Date.parse(second) - Date.parse(first)).toBe(1_000);
  });

  it('says nothing of a run that logged nothing above debug, and the outcome of one that did', async () => {
    await waitFor(() => timerTicks.length >= 2, 5_000);
    expect(logLines.filter((l) => /\btick\b/.test(l))).toEqual([]);
    await waitFor(() => logLines.some((l) => /^news \(.+\) Succeeded in \d+ ms$/.test(l)), 5_000);
    expect(logLines).toContain('  [news] information: did something');
  });
});

describe('Service Bus queue trigger', () => {
  it('passes a message sent with the SDK to the function and completes it', async () => {
    const sender = serviceBus.createSender(queueName);
    await sender.sendMessages({ body: { hello: 'world' }, messageId: 'm-1', correlationId: 'c-1' });
    await sender.close();
    await waitFor(() => received.length === 1);
    expect(received[0]).toEqual({
      body: { hello: 'world' },
      messageId: 'm-1',
      deliveryCount: 1,
      correlationId: 'c-1',
    });
    // Completed: nothing is left on the queue for anyone else.
    const peeker = serviceBus.createReceiver(queueName);
    await new Promise((r) => setTimeout(r, 200));
    expect(await peeker.peekMessages(10)).toHaveLength(0);
    await peeker.close();
  });

  it('abandons the message when the function throws, so it is delivered again', async () => {
    const sender = serviceBus.createSender(failingQueue);
    await sender.sendMessages({ body: 'x' });
    await sender.close();
    await waitFor(() => failingDeliveries.length === 2);
    expect(failingDeliveries).toEqual([1, 2]);
  });

  it('runs at most host.json maxConcurrentCalls invocations at once', async () => {
    const sender = serviceBus.createSender(concurrencyQueue);
    await sender.sendMessages(Array.from({ length: 9 }, (_, i) => ({ body: i })));
    await sender.close();
    await waitFor(() => concurrencyDone === 9);
    expect(maxConcurrent).toBe(3);
  });
});

describe('Cosmos DB trigger', () => {
  it('delivers created and changed documents, not those that existed at start, in batches', async () => {
    const container = cosmos.database('reportexports').container(feedContainer);
    const feed = host.changeFeeds.get('feed');
    expect(feed).toBeDefined();
    await feed?.pollNow();
    feedBatches.length = 0;
    for (const id of ['a', 'b', 'c']) await container.items.create({ id, pk: 'p' });
    await feed?.pollNow();
    expect(feedBatches.map((b) => b.map((d) => d.id))).toEqual([['a', 'b'], ['c']]);
    await container.item('b', 'p').replace({ id: 'b', pk: 'p', changed: true });
    await feed?.pollNow();
    expect(feedBatches.at(-1)?.map((d) => d.id)).toEqual(['b']);
    await feed?.pollNow();
    expect(feedBatches.flat().filter((d) => d.id === 'before-start')).toHaveLength(0);
    expect(feedBatches).toHaveLength(3); // nothing delivered twice
  });
});
