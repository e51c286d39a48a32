// The setup the end-to-end test files share. Each file runs against a Cosmos database and a Service Bus
// peer of its own, so that its host relays and exports only its own reports and no other file's host
// touches them: `start()` points the settings at them (plus the file's own), provisions the database,
// seeds source data, issues a development token and starts the app on a local host; `cleanup()` stops
// what it started, drops the database and puts the settings back.
//
//   const e2e = e2eFixture({ name: 'exports', env: { WORKER_LEASE_SECONDS: '15' }, seed: {...} });
//   beforeAll(() => e2e.start(), 180_000);
//   afterAll(() => e2e.cleanup());
//
// The handle exists before `start()` (its tenant and API client can be used at module level); what
// `start()` makes (config, peer, Cosmos client, token, host) is read through getters that throw before it.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Container, CosmosClient } from '@azure/cosmos';
import { BlobServiceClient } from '@azure/storage-blob';
import type { AppHostOptions } from '../../dev/app-host';
import { loadLocalConfig } from '../../dev/local-config';
import { peerQueues } from '../../dev/local-env';
import { provisionLocal } from '../../dev/provision';
import { seedSourceData } from '../../dev/seed';
import { startServiceBusPeer, type ServiceBusPeer } from '../../dev/servicebus-peer/peer';
import { startCosmosServer, type CosmosServer } from '../../dev/standins/cosmos';
import { issueDevToken } from '../../dev/token';
import { loadConfig, type AppConfig } from '../../src/config';
import type { ReportTypeRegistry } from '../../src/domain/report-types';
import type { FunctionDefinition } from '../../src/functions/definition';
import { apiClient, type ApiClient } from './api';
import { startAppHost, type AppHost } from './app-host';
import { testCosmosClient } from './clients';
import { freePort } from './net';

export interface E2eOptions {
  /** The database's name starts with this (`<name>-<8 hex digits>`). */
  name: string;
  /** Settings of the file's own, set in `process.env` before the config is loaded; `cleanup()` restores them. */
  env?: Record<string, string>;
  /** Source data to seed (dev/seed.ts); none when absent. */
  seed?: { albums: number; ratings: number; seed: number };
  /** The host's timer schedules (the child host process of `startHostProcess` gets them too). */
  timerSchedules?: Record<string, string>;
  /** How often the host polls the Cosmos stand-in's change feed. */
  changeFeedPollMs?: number;
  /** The host's report type registry, when not the built-in one (the API client checks against it too). */
  reportTypes?: ReportTypeRegistry;
  /** Which of the app's functions the host runs (default: all). */
  only?: (definition: FunctionDefinition) => boolean;
  /** The user `token` is for (default `ana`). */
  user?: string;
  /** An environment variable that, when set, prints the host's log lines (e.g. `DEBUG_EXPORTS`). */
  debug?: string;
  /** Start the peer on a fixed port, so that `stopPeer()` and `startPeer()` bring it back at the same address. */
  restartablePeer?: boolean;
  /**
   * Run a Cosmos DB stand-in of the file's own (not the shared one) on a fixed port, so that
   * `stopCosmos()` and `startCosmos()` take it down and bring it back with its data.
   */
  restartableCosmos?: boolean;
}

/** The app's functions in a process of their own (test/support/host-process.ts), to kill with SIGKILL. */
export interface HostProcess {
  url: string;
  /** Its log lines, as they arrive. */
  log: string[];
  /** Kills it with SIGKILL and waits until it has exited and its log is complete. */
  kill(): Promise<void>;
}

export interface E2eFixture {
  /** The tenant of `token`, `t-<uuid>`. */
  readonly tenant: string;
  /** A client of the API as `token`'s user, on the running host. */
  readonly api: ApiClient;
  /** The host's log lines since it last started, and when each arrived. */
  readonly hostLog: string[];
  readonly hostLogTimes: { line: string; at: number }[];
  readonly config: AppConfig;
  readonly peer: ServiceBusPeer;
  readonly cosmos: CosmosClient;
  /** The reports container of the file's database. */
  readonly reports: Container;
  readonly token: string;
  /** The running host (throws when none runs). */
  readonly host: AppHost;
  start(): Promise<void>;
  cleanup(): Promise<void>;
  /** A container of the file's database. */
  container(name: string): Container;
  /** A token for another user, of `tenant` unless told. */
  tokenFor(userId: string, tenantId?: string): Promise<string>;
  /** Starts the host (stopping the running one first), with the file's options and `overrides`. */
  startHost(overrides?: Partial<AppHostOptions>): Promise<AppHost>;
  stopHost(): Promise<void>;
  /** Stops the Service Bus peer (Service Bus down); `startPeer()` brings it back (`restartablePeer`). */
  stopPeer(): Promise<void>;
  startPeer(): Promise<ServiceBusPeer>;
  /** Stops the file's own Cosmos stand-in (the database down); `startCosmos()` brings it back (`restartableCosmos`). */
  stopCosmos(): Promise<void>;
  startCosmos(): Promise<void>;
  /** The names of the blobs under `tenant`'s folder of the report. */
  blobsOf(reportId: string): Promise<string[]>;
  /** Starts the app's functions in a child process with the file's settings and timer schedules. */
  startHostProcess(): Promise<HostProcess>;
}

export function e2eFixture(options: E2eOptions): E2eFixture {
  const tenant = `t-${randomUUID()}`;
  const hostLog: string[] = [];
  const hostLogTimes: { line: string; at: number }[] = [];
  const saved = new Map<string, string | undefined>();
  const children = new Set<HostProcess>();
  let config: AppConfig | undefined;
  let peer: ServiceBusPeer | undefined;
  let peerPort = 0;
  let cosmos: CosmosClient | undefined;
  let cosmosServer: CosmosServer | undefined;
  let token: string | undefined;
  let host: AppHost | undefined;

  const setEnv = (name: string, value: string) => {
    if (!saved.has(name)) saved.set(name, process.env[name]);
    process.env[name] = value;
  };
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what}: the end-to-end fixture has not started`);
    return value;
  };
  const tokenFor = (userId: string, tenantId = tenant) =>
    issueDevToken({ tenantId, userId, dir: process.env.REPORT_EXPORTS_TEST_LOCAL_DIR });

  async function startPeer(): Promise<ServiceBusPeer> {
    const current = started(config, 'config');
    peer = await startServiceBusPeer({
      port: peerPort,
      queues: peerQueues(current, loadLocalConfig(process.env)),
    });
    return peer;
  }

  async function stopPeer(): Promise<void> {
    const running = peer;
    peer = undefined;
    await running?.close();
  }

  const ownCosmos = (): CosmosServer => {
    if (!options.restartableCosmos) throw new Error('the end-to-end fixture was not told restartableCosmos');
    return started(cosmosServer, 'cosmos stand-in');
  };

  const container = (name: string): Container =>
    started(cosmos, 'cosmos').database(started(config, 'config').cosmos.databaseName).container(name);

  async function stopHost(): Promise<void> {
    const running = host;
    host = undefined;
    await running?.stop();
  }

  async function startHost(overrides: Partial<AppHostOptions> = {}): Promise<AppHost> {
    await stopHost();
    hostLog.length = 0;
    hostLogTimes.length = 0;
    host = await startAppHost({
      ...(options.reportTypes ? { reportTypes: options.reportTypes } : {}),
      ...(options.timerSchedules ? { timerSchedules: options.timerSchedules } : {}),
      ...(options.changeFeedPollMs ? { changeFeedPollMs: options.changeFeedPollMs } : {}),
      ...(options.only ? { only: options.only } : {}),
      log: (line) => {
        hostLog.push(line);
        hostLogTimes.push({ line, at: Date.now() });
        if (options.debug && process.env[options.debug]) console.log(line);
      },
      ...overrides,
    });
    return host;
  }

  async function startHostProcess(): Promise<HostProcess> {
    const schedules = options.timerSchedules;
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'test/support/host-process.ts'], {
      env: { ...process.env, ...(schedules ? { HOST_TIMER_SCHEDULES: JSON.stringify(schedules) } : {}) },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const log: string[] = [];
    createInterface({ input: child.stderr! }).on('line', (line) => log.push(line));
    const ended = Promise.all([once(child, 'exit'), once(child.stderr!, 'close')]);
    ended.catch(() => undefined); // awaited by kill()
    const hostProcess: HostProcess = {
      url: '',
      log,
      async kill() {
        children.delete(hostProcess);
        child.kill('SIGKILL');
        await ended;
      },
    };
    children.add(hostProcess);
    let timer: NodeJS.Timeout | undefined;
    try {
      const [line] = (await Promise.race([
        once(createInterface({ input: child.stdout! }), 'line'),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('the child host did not start')), 60_000);
        }),
      ])) as [string];
      hostProcess.url = line.replace('listening ', '');
      return hostProcess;
    } catch (error) {
      await hostProcess.kill();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    tenant,
    api: apiClient({
      baseUrl: () => host?.url,
      token: () => started(token, 'token'),
      ...(options.reportTypes ? { reportTypes: options.reportTypes } : {}),
    }),
    hostLog,
    hostLogTimes,
    get config() {
      return started(config, 'config');
    },
    get peer() {
      return started(peer, 'peer');
    },
    get cosmos() {
      return started(cosmos, 'cosmos');
    },
    get reports() {
      return container(started(config, 'config').cosmos.reportsContainer);
    },
    get token() {
      return started(token, 'token');
    },
    get host() {
      return started(host, 'host');
    },
    container,
    tokenFor,
    startHost,
    stopHost,
    startPeer,
    stopPeer,
    stopCosmos: () => ownCosmos().stop(),
    startCosmos: () => ownCosmos().start(),

    async start() {
      setEnv('COSMOS_DATABASE_NAME', `${options.name}-${randomUUID().slice(0, 8)}`);
      setEnv('OUTBOX_SWEEP_GRACE_SECONDS', '1');
      for (const [name, value] of Object.entries(options.env ?? {})) setEnv(name, value);
      if (options.restartableCosmos) {
        cosmosServer = await startCosmosServer({ port: await freePort() });
        setEnv('COSMOS', cosmosServer.connectionString);
      }
      config = loadConfig(process.env);
      if (options.restartablePeer) peerPort = await freePort();
      await startPeer();
      setEnv('SERVICEBUS', started(peer, 'peer').connectionString);
      config = loadConfig(process.env);
      await provisionLocal(config, loadLocalConfig(process.env));
      if (options.seed) await seedSourceData({ config, ...options.seed });
      cosmos = testCosmosClient();
      token = await tokenFor(options.user ?? 'ana');
      await startHost();
    },

    async cleanup() {
      try {
        for (const child of [...children]) await child.kill();
        await stopHost();
        await stopPeer();
        if (cosmosServer) {
          // The whole stand-in goes (it may be stopped: nothing to drop then).
          await cosmosServer.close();
          cosmosServer = undefined;
        } else if (cosmos && config) {
          await cosmos
            .database(config.cosmos.databaseName)
            .delete()
            .catch(() => undefined);
        }
        cosmos?.dispose();
      } finally {
        for (const [name, value] of saved) {
          if (value === undefined) delete process.env[name];
          else process.env[name] = value;
        }
        saved.clear();
      }
    },

    async blobsOf(reportId) {
      const container = BlobServiceClient.fromConnectionString(process.env.BLOB ?? '').getContainerClient(
        started(config, 'config').blob.reportsContainer,
      );
      const names: string[] = [];
      for await (const blob of container.listBlobsFlat({ prefix: `${tenant}/${reportId}/` }))
        names.push(blob.name);
      return names;
    },

    startHostProcess,
  };
}
