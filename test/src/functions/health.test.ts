// GET /api/health through the local host, against the real stand-ins.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { apiAndRelayOnly, startAppHost, type AppHost } from '../../support/app-host';

let host: AppHost | undefined;
const savedServiceBus = process.env.SERVICEBUS;

afterEach(async () => {
  await host?.stop();
  host = undefined;
  process.env.SERVICEBUS = savedServiceBus;
});
afterAll(() => {
  process.env.SERVICEBUS = savedServiceBus;
});

describe('GET /api/health', () => {
  it('is 200 with every dependency up, without authentication', async () => {
    host = await startAppHost({ only: apiAndRelayOnly });
    const response = await fetch(`${host.url}/api/health`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as {
      status: string;
      dependencies: Record<string, { status: string }>;
    };
    expect(body.status).toBe('healthy');
    expect(Object.keys(body.dependencies).sort()).toEqual(['blob', 'cosmos', 'serviceBus']);
    for (const dependency of Object.values(body.dependencies)) expect(dependency.status).toBe('up');
  });

  it('is 503 naming the dependency that is down', async () => {
    // A port nothing listens on: Service Bus is unreachable.
    process.env.SERVICEBUS = (savedServiceBus ?? '').replace(/:\d+;/, ':1;');
    host = await startAppHost({ only: apiAndRelayOnly });
    const response = await fetch(`${host.url}/api/health`);
    expect(response.status).toBe(503);
    const body = (await response.json()) as {
      status: string;
      dependencies: Record<string, { status: string; error?: string }>;
    };
    expect(body.status).toBe('unhealthy');
    expect(body.dependencies.serviceBus?.status).toBe('down');
    expect(body.dependencies.serviceBus?.error).toBeTruthy();
    expect(body.dependencies.cosmos?.status).toBe('up');
    expect(body.dependencies.blob?.status).toBe('up');
  });
});
