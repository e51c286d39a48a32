// One CLI for the local stand-ins, each run as its own process so the app can restart without losing data:
//   tsx dev/standins/main.ts azurite    [--port 10000] [--location DIR]   (no --location: in memory)
//   tsx dev/standins/main.ts cosmos     [--port 8081]
//   tsx dev/standins/main.ts servicebus [--port 5672] [--queue name:maxDeliveryCount=5,lockDurationMs=30000,...]
// Common: [--host 127.0.0.1] [--parent-pid N] [--verbose]
// Prints `<name> listening on HOST:PORT` once ready; stops on SIGINT/SIGTERM and when the parent is gone.
import { mkdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startServiceBusPeer } from '../servicebus-peer/peer';
import { parseQueueSpec } from '../servicebus-peer/queue-spec';
import { startAzurite } from './azurite';
import { startCosmosServer } from './cosmos';
import { parsePid, parsePort, stopWhenDone } from './lifecycle';

export const STANDIN_DEFAULT_PORTS = { azurite: 10000, cosmos: 8081, servicebus: 5672 } as const;
export type StandinName = keyof typeof STANDIN_DEFAULT_PORTS;

function isStandinName(name: string | undefined): name is StandinName {
  return name !== undefined && name in STANDIN_DEFAULT_PORTS;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      location: { type: 'string' },
      'parent-pid': { type: 'string' },
      queue: { type: 'string', multiple: true },
      verbose: { type: 'boolean' },
    },
    strict: true,
  });
  const name = positionals[0];
  if (!isStandinName(name))
    throw new Error(`usage: main.ts <${Object.keys(STANDIN_DEFAULT_PORTS).join('|')}> ...`);
  const host = values.host ?? '127.0.0.1';
  const port = parsePort(values.port, STANDIN_DEFAULT_PORTS[name]);
  const parentPid = parsePid(values['parent-pid']);

  let listening: { port: number; close(): Promise<void> };
  switch (name) {
    case 'azurite':
      if (values.location) mkdirSync(values.location, { recursive: true });
      listening = await startAzurite({
        host,
        port,
        ...(values.location ? { location: values.location } : {}),
      });
      break;
    case 'cosmos':
      listening = await startCosmosServer({ host, port });
      break;
    case 'servicebus':
      listening = await startServiceBusPeer({
        host,
        port,
        queues: Object.fromEntries((values.queue ?? []).map(parseQueueSpec)),
        log: values.verbose ? (line) => console.log(`[servicebus] ${line}`) : undefined,
      });
      break;
  }
  console.log(`${name} listening on ${host}:${listening.port}`);

  // Close gracefully (Azurite saves its metadata on close), but never hang on it.
  stopWhenDone(parentPid, (reason) => {
    if (values.verbose) console.log(`[${name}] stopping (${reason})`);
    setTimeout(() => process.exit(0), 3_000).unref();
    void listening.close().finally(() => process.exit(0));
  });
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`stand-in: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
