// The local Functions host: runs the app's function definitions the way the Azure host does (HTTP
// routes, timers, Service Bus queue triggers, Cosmos DB triggers), without Functions Core Tools.
import type { Server } from 'node:http';
import type { CosmosClient } from '@azure/cosmos';
import type { ServiceBusClient } from '@azure/service-bus';
import { createCosmosClient, createServiceBusClient } from '../../src/adapters/azure-clients';
import { readConnection } from '../../src/config';
import type { FunctionDefinition } from '../../src/functions/definition';
import { changeFeedSettings, startChangeFeed, type RunningChangeFeed } from './cosmos-trigger';
import { readHostJson, type HostJson } from './host-json';
import { createHttpHost, listen } from './http-server';
import { resolveSetting, type HostLog } from './invoke';
import { startQueueTrigger, type RunningQueueTrigger } from './servicebus-trigger';
import { parseSchedule, startTimer, type RunningTimer } from './timers';

export interface LocalHostOptions {
  definitions: readonly FunctionDefinition[];
  host?: string; // default 127.0.0.1
  port?: number; // default 7071; 0 = a free port
  hostJson?: HostJson; // default: ./host.json
  env?: NodeJS.ProcessEnv; // app settings; default process.env
  /** Local schedule per timer function name (NCRONTAB or hh:mm:ss), e.g. to sweep faster than in Azure. */
  timerSchedules?: Record<string, string>;
  /** How often Cosmos DB triggers poll for changes unless the function sets feedPollDelay; default 1000 ms. */
  changeFeedPollMs?: number;
  log?: HostLog;
}

export interface LocalHost {
  readonly url: string; // http://127.0.0.1:PORT
  readonly port: number;
  /** Running Cosmos DB triggers by function name. */
  readonly changeFeeds: ReadonlyMap<string, RunningChangeFeed>;
  stop(): Promise<void>;
}

export async function startLocalHost(options: LocalHostOptions): Promise<LocalHost> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => console.log(`${new Date().toISOString()} ${line}`));
  const hostJson = options.hostJson ?? readHostJson();
  const { definitions } = options;
  const stoppers: (() => Promise<void>)[] = [];
  const changeFeeds = new Map<string, RunningChangeFeed>();
  const serviceBusClients = new Map<string, ServiceBusClient>();
  const cosmosClients = new Map<string, CosmosClient>();

  const serviceBusClient = (connection: string): ServiceBusClient => {
    let client = serviceBusClients.get(connection);
    if (!client) {
      client = createServiceBusClient(connectionFrom(env, connection, 'fullyQualifiedNamespace'));
      serviceBusClients.set(connection, client);
    }
    return client;
  };
  const cosmosClient = (connection: string): CosmosClient => {
    let client = cosmosClients.get(connection);
    if (!client) {
      client = createCosmosClient(connectionFrom(env, connection, 'accountEndpoint'));
      cosmosClients.set(connection, client);
    }
    return client;
  };

  let server: Server | undefined;
  try {
    const httpFunctions = definitions.flatMap((d) => (d.trigger === 'http' ? [d] : []));
    server = createHttpHost(httpFunctions, hostJson.extensions.http.routePrefix, log);
    const port = await listen(server, options.host ?? '127.0.0.1', options.port ?? 7071);
    const httpServer = server;
    stoppers.push(
      () =>
        new Promise<void>((resolve) => {
          httpServer.close(() => resolve());
          httpServer.closeAllConnections();
        }),
    );

    for (const definition of definitions) {
      switch (definition.trigger) {
        case 'http':
          break;
        case 'timer': {
          const expression =
            options.timerSchedules?.[definition.name] ?? resolveSetting(definition.options.schedule, env);
          const timer: RunningTimer = startTimer(definition, parseSchedule(expression), log);
          stoppers.push(() => timer.stop());
          break;
        }
        case 'serviceBusQueue': {
          const sb = hostJson.extensions.serviceBus;
          const trigger: RunningQueueTrigger = startQueueTrigger(
            definition,
            serviceBusClient(definition.options.connection),
            {
              queueName: resolveSetting(definition.options.queueName, env),
              maxConcurrentCalls: sb.maxConcurrentCalls,
              autoCompleteMessages: sb.autoCompleteMessages,
              maxAutoLockRenewalDurationMs: sb.maxAutoLockRenewalDuration,
            },
            log,
          );
          stoppers.push(() => trigger.stop());
          break;
        }
        case 'cosmosDB': {
          const settings = changeFeedSettings(definition.options, options.changeFeedPollMs ?? 1_000);
          const feed = startChangeFeed(
            definition,
            cosmosClient(settings.connection),
            {
              ...settings,
              databaseName: resolveSetting(settings.databaseName, env),
              containerName: resolveSetting(settings.containerName, env),
            },
            log,
          );
          changeFeeds.set(definition.name, feed);
          stoppers.push(() => feed.stop());
          break;
        }
      }
    }
    log(
      `local host: ${definitions.length} functions, listening on http://${options.host ?? '127.0.0.1'}:${port}`,
    );

    let stopping: Promise<void> | undefined;
    return {
      url: `http://${options.host ?? '127.0.0.1'}:${port}`,
      port,
      changeFeeds,
      stop() {
        stopping ??= closeAll();
        return stopping;
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }

  async function closeAll(): Promise<void> {
    await Promise.allSettled(stoppers.reverse().map((stop) => stop()));
    await Promise.allSettled([...serviceBusClients.values()].map((c) => c.close()));
    for (const c of cosmosClients.values()) c.dispose();
  }
}

function connectionFrom(env: NodeJS.ProcessEnv, name: string, endpointKey: string) {
  const problems: string[] = [];
  const connection = readConnection(env, name, endpointKey, problems);
  if (!connection) throw new Error(`connection '${name}': ${problems.join('; ')}`);
  return connection;
}
