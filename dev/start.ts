// `npm start`: the whole system on this machine. Starts the stand-ins (Azurite, the Cosmos server, the
// Service Bus peer) as separate processes unless one already answers on its port, provisions them,
// seeds demo source data when there is none, makes the local development signing key, and runs the
// app's functions in the local host.
// Ctrl-C stops everything this command started (stand-ins it reused keep running).
// `--standins-only` (`npm run standins`) does all of that but the local host and stays up: with the
// stand-ins in a terminal of their own, `npm start` reuses them, so the app can be stopped and started
// again without losing the in-memory Cosmos data or queued messages.
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import {
  LOCAL_CHANGE_FEED_POLL_MS,
  LOCAL_TIMER_SCHEDULES,
  localSettings,
  peerQueueArgs,
  type StandinPorts,
} from './local-env';
import { provisionLocal } from './provision';
import { seedSourceData } from './seed';
import { parsePort } from './standins/lifecycle';
import { ensureDevSigningKey, localDataDir } from './token';
import { loadConfig } from '../src/config';
import { startAppHost } from './app-host';

const HOST = '127.0.0.1';
const ROOT = resolve(__dirname, '..');
/** What `npm start` seeds into an empty albums container. */
const DEMO_DATA = { albums: 200, ratings: 20_000, seed: 1 };
/**
 * Settings `npm start` runs with unless the environment has them: chunks of 5,000 rows, so that the
 * demo's all-time ratings export (20,000 rows, CSV, JSON or NDJSON) runs as 4 chunks, as a large export
 * does in Azure with the default 100,000.
 */
const DEMO_SETTINGS = { EXPORT_CHUNK_TARGET_ROWS: '5000' };

function portInUse(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host: HOST, port });
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

async function startStandin(
  name: keyof StandinPorts,
  port: number,
  extraArgs: string[],
  children: ChildProcess[],
): Promise<void> {
  if (await portInUse(port)) {
    console.log(`${name}: something already listens on ${HOST}:${port}; reusing it`);
    return;
  }
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(ROOT, 'dev/standins/main.ts'),
      name,
      '--port',
      String(port),
      '--parent-pid',
      String(process.pid),
      ...extraArgs,
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  children.push(child);
  await new Promise<void>((ready, fail) => {
    const timer = setTimeout(() => fail(new Error(`${name} did not start within 30 s`)), 30_000);
    child.once('exit', (code) => fail(new Error(`${name} exited with code ${String(code)}`)));
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      if (line.startsWith(`${name} listening on`)) {
        clearTimeout(timer);
        console.log(`${line} (pid ${child.pid})`);
        ready();
      } else {
        console.log(`[${name}] ${line}`);
      }
    });
  });
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const unknown = args.filter((arg) => arg !== '--standins-only');
  if (unknown.length > 0) throw new Error(`unknown argument ${unknown.join(' ')} (known: --standins-only)`);
  const standinsOnly = args.includes('--standins-only');
  const env = process.env;
  const localDir = localDataDir(env);
  const ports: StandinPorts = {
    azurite: parsePort(env.AZURITE_PORT, 10000),
    cosmos: parsePort(env.COSMOS_PORT, 8081),
    servicebus: parsePort(env.SERVICEBUS_PORT, 5672),
  };
  const hostPort = parsePort(env.LOCAL_HOST_PORT, 7071);
  const started = performance.now();
  const children: ChildProcess[] = [];
  const stopChildren = (): void => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  };
  process.once('exit', stopChildren);

  // Settings already in the environment win (e.g. to point the local host at Azure resources).
  Object.assign(env, { ...localSettings(ports, localDir), ...DEMO_SETTINGS, ...env });
  const config = loadConfig(env);
  try {
    await Promise.all([
      startStandin('azurite', ports.azurite, ['--location', join(localDir, 'azurite')], children),
      startStandin('cosmos', ports.cosmos, [], children),
      startStandin('servicebus', ports.servicebus, peerQueueArgs(config), children),
    ]);
    await ensureDevSigningKey(localDir);
    await provisionLocal(config);
    const demo = await seedSourceData({ config, ...DEMO_DATA, ifEmpty: true });
    console.log(
      demo.skipped
        ? `demo data: ${config.cosmos.albumsContainer} already has albums; not seeding`
        : `demo data: seeded ${demo.albums} albums and ${demo.ratings} ratings in ${Math.round(demo.elapsedMs)} ms (more: npm run seed -- --help)`,
    );
  } catch (error) {
    stopChildren();
    throw error;
  }
  if (standinsOnly) {
    console.log(
      [
        '',
        `Stand-ins ready in ${Math.round(performance.now() - started)} ms: ` +
          `Azurite :${ports.azurite}, Cosmos :${ports.cosmos}, Service Bus :${ports.servicebus}`,
        '  npm start (in another terminal) reuses them; Ctrl-C here stops them.',
        '',
      ].join('\n'),
    );
    const stop = (signal: string): void => {
      console.log(`${signal}: stopping the stand-ins`);
      stopChildren();
      process.exit(0);
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
    return;
  }
  const host = await startAppHost({
    config,
    port: hostPort,
    timerSchedules: LOCAL_TIMER_SCHEDULES,
    changeFeedPollMs: LOCAL_CHANGE_FEED_POLL_MS,
  });
  console.log(
    [
      '',
      `Ready in ${Math.round(performance.now() - started)} ms: ${host.url}/api`,
      `  health:  curl ${host.url}/api/health`,
      `  web:     ${host.url}/api/web (paste a token from the next line)`,
      '  token:   npm run -s token -- --tenant contoso --user alice [--admin]',
      'Ctrl-C stops everything this command started.',
      '',
    ].join('\n'),
  );

  const shutdown = (signal: string): void => {
    console.log(`${signal}: stopping`);
    void host
      .stop()
      .catch(() => undefined)
      .finally(() => {
        stopChildren();
        process.exit(0);
      });
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(`npm start failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
