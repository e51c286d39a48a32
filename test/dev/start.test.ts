// `npm start` end to end: stand-ins as separate processes, provisioning, the local host, healthy, a
// development token the app's verifier accepts, reuse of a stand-in already running, and Ctrl-C.
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answers, freePort } from '../support/net';
import { startCosmosServer, type CosmosServer } from '../../dev/standins/cosmos';
import { DEV_AUDIENCE, DEV_ISSUER, issueDevToken } from '../../dev/token';
import { createTokenVerifier } from '../../src/auth/verifier';

const ROOT = resolve(__dirname, '../..');

async function eventually(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

const localDir = mkdtempSync(join(tmpdir(), 'report-exports-start-'));
let ports: { host: number; azurite: number; cosmos: number; servicebus: number };
let reusedCosmos: CosmosServer;
let child: ChildProcessWithoutNullStreams;
let output = '';
let readyAfterMs = 0;

beforeAll(async () => {
  ports = {
    host: await freePort(),
    azurite: await freePort(),
    cosmos: await freePort(),
    servicebus: await freePort(),
  };
  reusedCosmos = await startCosmosServer({ port: ports.cosmos }); // already running: must be reused
  // The stand-ins' settings of the test run must not leak into the child: it makes its own.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(COSMOS|SERVICEBUS|BLOB|AUTH_)/.test(k)),
  );
  const started = Date.now();
  child = spawn(process.execPath, ['--import', 'tsx', 'dev/start.ts'], {
    cwd: ROOT,
    env: {
      ...env,
      LOCAL_HOST_PORT: String(ports.host),
      AZURITE_PORT: String(ports.azurite),
      COSMOS_PORT: String(ports.cosmos),
      SERVICEBUS_PORT: String(ports.servicebus),
      LOCAL_DATA_DIR: localDir,
    },
  });
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const ready = await eventually(async () => output.includes('Ready in'), 60_000);
  readyAfterMs = Date.now() - started;
  if (!ready) throw new Error(`npm start did not get ready:\n${output}`);
}, 90_000);

afterAll(async () => {
  if (child.exitCode === null) child.kill('SIGKILL');
  await reusedCosmos.close();
  rmSync(localDir, { recursive: true, force: true });
});

describe('npm start', () => {
  it('serves a healthy app on the local host', async () => {
    const response = await fetch(`http://127.0.0.1:${ports.host}/api/health`);
    const body: unknown = await response.json();
    expect(response.status, JSON.stringify(body)).toBe(200);
    expect(body).toMatchObject({ status: 'healthy' });
    console.log(`npm start (without the build step) was healthy after ${readyAfterMs} ms`);
  });

  it('reuses a stand-in that already listens on its port', () => {
    expect(output).toContain(`cosmos: something already listens on 127.0.0.1:${ports.cosmos}; reusing it`);
    expect(output).toMatch(/azurite listening on 127\.0\.0\.1:\d+ \(pid \d+\)/);
    expect(output).toMatch(/servicebus listening on 127\.0\.0\.1:\d+ \(pid \d+\)/);
  });

  it('made the development signing key that tokens are verified with', async () => {
    const token = await issueDevToken({ tenantId: 'contoso', userId: 'alice', dir: localDir });
    const verify = createTokenVerifier({
      issuer: DEV_ISSUER,
      audience: DEV_AUDIENCE,
      devJwksPath: join(localDir, 'dev-jwks.json'),
    });
    await expect(verify(`Bearer ${token}`)).resolves.toMatchObject({ tenantId: 'contoso', userId: 'alice' });
  });

  it('accepts the tokens of npm run token given the same LOCAL_DATA_DIR (no --dir)', async () => {
    const token = await new Promise<string>((resolveToken, reject) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'dev/token.ts', '--tenant', 'contoso', '--user', 'alice'],
        { cwd: ROOT, env: { ...process.env, LOCAL_DATA_DIR: localDir }, timeout: 20_000 },
        (error, stdout) => (error ? reject(new Error(error.message)) : resolveToken(stdout.trim())),
      );
    });
    const response = await fetch(`http://127.0.0.1:${ports.host}/api/report-types`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status, await response.clone().text()).toBe(200);
  });

  it("runs the demo's all-time ratings export in chunks", async () => {
    const token = await issueDevToken({ tenantId: 'contoso', userId: 'chunks', dir: localDir });
    const api = `http://127.0.0.1:${ports.host}/api`;
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const created = await fetch(`${api}/reports/ratings`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ format: 'csv', parameters: { fromDate: '0000-01-01', toDate: '9999-12-31' } }),
    });
    expect(created.status, await created.clone().text()).toBe(202);
    const { reportId } = (await created.json()) as { reportId: string };
    let report: { status?: string; rowCount?: number; progress?: { chunks?: { total: number } } } = {};
    const done = await eventually(async () => {
      report = (await (await fetch(`${api}/reports/${reportId}`, { headers })).json()) as typeof report;
      return report.status === 'Completed' || report.status === 'Failed';
    }, 60_000);
    expect(done, JSON.stringify(report)).toBe(true);
    expect(report).toMatchObject({ status: 'Completed', rowCount: 20_000 });
    expect(report.progress?.chunks?.total).toBe(4);
  }, 90_000);

  it('stops everything it started on Ctrl-C and leaves the reused stand-in running', async () => {
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    for (const port of [ports.host, ports.azurite, ports.servicebus]) {
      expect(await eventually(async () => !(await answers(port)), 10_000), `port ${port} still open`).toBe(
        true,
      );
    }
    expect(await answers(ports.cosmos)).toBe(true);
  });
});

describe('npm run standins, then npm start', () => {
  it('keeps the data when the app is stopped and started again against stand-ins of their own', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'report-exports-standins-'));
    const p = {
      host: await freePort(),
      azurite: await freePort(),
      cosmos: await freePort(),
      servicebus: await freePort(),
    };
    const env = {
      ...Object.fromEntries(
        Object.entries(process.env).filter(([k]) => !/^(COSMOS|SERVICEBUS|BLOB|AUTH_)/.test(k)),
      ),
      LOCAL_HOST_PORT: String(p.host),
      AZURITE_PORT: String(p.azurite),
      COSMOS_PORT: String(p.cosmos),
      SERVICEBUS_PORT: String(p.servicebus),
      LOCAL_DATA_DIR: dir,
    };
    const run = (args: string[]) => {
      const proc = spawn(process.execPath, ['--import', 'tsx', 'dev/start.ts', ...args], { cwd: ROOT, env });
      const out = { text: '' };
      proc.stdout.on('data', (chunk: Buffer) => (out.text += chunk.toString()));
      proc.stderr.on('data', (chunk: Buffer) => (out.text += chunk.toString()));
      return { proc, out };
    };
    const stop = async (proc: ChildProcessWithoutNullStreams) => {
      const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
      proc.kill('SIGINT');
      return exited;
    };
    const standins = run(['--standins-only']);
    try {
      expect(await eventually(async () => standins.out.text.includes('Stand-ins ready'), 60_000)).toBe(true);
      expect(standins.out.text).toMatch(/demo data: seeded \d+ albums/);
      expect(await answers(p.host)).toBe(false);

      for (const round of [1, 2]) {
        const app = run([]);
        try {
          const ready = await eventually(async () => app.out.text.includes('Ready in'), 60_000);
          expect(ready, app.out.text).toBe(true);
          for (const name of ['azurite', 'cosmos', 'servicebus'] as const) {
            expect(app.out.text).toContain(`${name}: something already listens on 127.0.0.1:${p[name]}`);
          }
          // The demo albums seeded by the stand-ins' command are still there: nothing was lost.
          expect(app.out.text, `round ${round}`).toMatch(/already has albums; not seeding/);
          expect((await fetch(`http://127.0.0.1:${p.host}/api/health`)).status).toBe(200);
        } finally {
          expect(await stop(app.proc)).toBe(0);
        }
        for (const port of [p.azurite, p.cosmos, p.servicebus]) expect(await answers(port)).toBe(true);
      }
    } finally {
      expect(await stop(standins.proc)).toBe(0);
      rmSync(dir, { recursive: true, force: true });
    }
    for (const port of [p.azurite, p.cosmos, p.servicebus]) {
      expect(await eventually(async () => !(await answers(port)), 10_000), `port ${port} still open`).toBe(
        true,
      );
    }
  }, 180_000);
});
