// Child processes of the benchmark: the stand-ins (each in a process of its own, so a measured process's
// memory and CPU are its own), measured scripts that answer with one JSON line, and their cleanup. Every
// process started here is stopped by `stopAll()`, also when the run fails or is interrupted.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { localSettings, peerQueueArgs } from '../dev/local-env';
import { provisionLocal } from '../dev/provision';
import { ensureDevSigningKey } from '../dev/token';
import { loadConfig, type AppConfig } from '../src/config';

export const ROOT = resolve(__dirname, '..');
const HOST = '127.0.0.1';

const running = new Set<ChildProcess>();

function track(child: ChildProcess): ChildProcess {
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

/** Stops one child: SIGTERM, then SIGKILL if it is still there after `graceMs`. */
export async function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Stops every child still running (in parallel). */
export async function stopAll(): Promise<void> {
  await Promise.allSettled([...running].map((child) => stopChild(child)));
}

/** Last resort when the runner exits without cleaning up: no child outlives it. */
process.once('exit', () => {
  for (const child of running) if (child.exitCode === null) child.kill('SIGKILL');
});

export interface RunningProcess {
  readonly pid: number;
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * Starts one stand-in (`azurite`, `cosmos` or `servicebus`) with dev/standins/main.ts (or `script`, which
 * takes the same options and prints the same ready line) on a free port, bound to this process: it also
 * stops by itself when this process is gone.
 */
export async function startStandin(
  name: string,
  extraArgs: string[] = [],
  script?: string,
): Promise<RunningProcess> {
  const command = script ? [resolve(ROOT, script)] : [resolve(ROOT, 'dev/standins/main.ts'), name];
  const child = track(
    spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        ...command,
        '--host',
        HOST,
        '--port',
        '0',
        '--parent-pid',
        String(process.pid),
        ...extraArgs,
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    ),
  );
  return waitForLine(child, name, new RegExp(`^${name} listening on [^:]+:(\\d+)`), 30_000);
}

/** Starts `script` with tsx; resolves once it prints a line matching `ready` (capturing the port). */
export async function startScript(
  script: string,
  env: NodeJS.ProcessEnv,
  ready: RegExp,
  timeoutMs = 60_000,
): Promise<RunningProcess> {
  const child = track(
    spawn(process.execPath, ['--import', 'tsx', resolve(ROOT, script)], {
      cwd: ROOT,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    }),
  );
  return waitForLine(child, script, ready, timeoutMs);
}

function waitForLine(
  child: ChildProcess,
  name: string,
  pattern: RegExp,
  timeoutMs: number,
): Promise<RunningProcess> {
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  });
  return new Promise((ready, fail) => {
    const timer = setTimeout(() => {
      void stopChild(child);
      fail(new Error(`${name} did not start within ${timeoutMs / 1000} s:\n${output}`));
    }, timeoutMs);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      fail(new Error(`${name} exited with code ${String(code)} before it was ready:\n${output}`));
    };
    child.once('exit', onExit);
    if (!child.stdout) throw new Error('no stdout');
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      output = (output + line + '\n').slice(-4000);
      const match = pattern.exec(line);
      if (!match) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      lines.removeAllListeners('line');
      lines.on('line', () => undefined); // keep draining stdout
      ready({ pid: child.pid ?? 0, port: Number(match[1] ?? 0), stop: () => stopChild(child) });
    });
  });
}

export interface ScriptOutput {
  stdout: string;
  stderr: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Runs `node [nodeArgs] --import tsx script args` to its end and collects its output. */
export function runScript(
  script: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; nodeArgs?: string[] } = {},
): Promise<ScriptOutput> {
  const child = track(
    spawn(
      process.execPath,
      [...(options.nodeArgs ?? []), '--import', 'tsx', resolve(ROOT, script), ...args],
      {
        cwd: ROOT,
        env: options.env ?? process.env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    ),
  );
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((done, fail) => {
    child.once('error', fail);
    child.once('close', (code, signal) => done({ stdout, stderr, code, signal }));
  });
}

/** CPU time (user + system) a process has used so far, from /proc (Linux); undefined elsewhere. */
export function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks * 10 : undefined; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

/**
 * The three stand-ins in processes of their own (each pushed to `started` as it runs), provisioned, with a
 * development signing key in `localDir`: the app settings that point at them, and the config they give.
 */
export async function startLocalSystem(
  baseEnv: Record<string, string | undefined>,
  localDir: string,
  started: RunningProcess[],
): Promise<{ settings: Record<string, string>; config: AppConfig }> {
  const queueArgs = peerQueueArgs(
    loadConfig({ ...baseEnv, ...localSettings({ azurite: 0, cosmos: 0, servicebus: 0 }, localDir) }),
  );
  const [azurite, cosmos, servicebus] = await Promise.all([
    startStandin('azurite').then((p) => (started.push(p), p)),
    startStandin('cosmos').then((p) => (started.push(p), p)),
    startStandin('servicebus', queueArgs).then((p) => (started.push(p), p)),
  ]);
  const settings = localSettings(
    { azurite: azurite.port, cosmos: cosmos.port, servicebus: servicebus.port },
    localDir,
  );
  const config = loadConfig({ ...baseEnv, ...settings });
  await ensureDevSigningKey(localDir);
  await provisionLocal(config);
  return { settings, config };
}
