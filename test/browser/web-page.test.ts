// The web page in a real browser (Debian's Chromium driven by playwright-core), against the local host
// running every function: sign in with a development token, start exports from the generated form,
// watch them finish, download, cancel, see validation messages, and check what a second user sees.
// This file runs against a Cosmos database and a Service Bus peer of its own (like exports.test.ts).
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAlbums, generateRatings } from '../../dev/seed';
import { issueDevToken } from '../../dev/token';
import { e2eFixture } from '../support/e2e-fixture';
import { POPULARITY_HEADER, rankFromDocuments } from '../support/independent-ranking';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ROOT = resolve(__dirname, '../..');
const ALBUMS = 100;
const RATINGS = 150_000;
const SEED = 5;
const FAST_TIMERS = { outboxSweeper: '*/1 * * * * *', exportWatchdog: '*/1 * * * * *' };
/** Set to a directory to keep screenshots of the page (desktop and 320 px wide). */
const SCREENSHOTS = process.env.WEB_SCREENSHOTS_DIR;

let browser: Browser;
const e2e = e2eFixture({
  name: 'web',
  // A heartbeat every 1.25 s: the cancel test's export (a few seconds) sees its cancel well before it ends.
  env: { WORKER_LEASE_SECONDS: '5' },
  seed: { albums: ALBUMS, ratings: RATINGS, seed: SEED },
  timerSchedules: FAST_TIMERS,
  changeFeedPollMs: 200,
  user: 'alice',
  debug: 'DEBUG_WEB',
});
const { tenant } = e2e;
const tokens: Record<'alice' | 'bob' | 'carol', string> = { alice: '', bob: '', carol: '' };
/** Console errors and uncaught exceptions of every page, by user. */
const pageErrors: string[] = [];

/** Runs in the page: keeps `window.__log` (a PageLog) up to date from DOM mutations. */
const RECORDER = `
  const log = { announced: [], statuses: {}, progressSeen: {} };
  window.__log = log;
  new MutationObserver(() => {
    const region = document.getElementById('announcer');
    if (region && region.textContent && log.announced[log.announced.length - 1] !== region.textContent) {
      log.announced.push(region.textContent);
    }
    for (const row of document.querySelectorAll('tr[data-report-id]')) {
      const id = row.dataset.reportId;
      const seen = (log.statuses[id] = log.statuses[id] || []);
      if (seen[seen.length - 1] !== row.dataset.status) seen.push(row.dataset.status);
      const progress = row.querySelector('progress');
      if (progress && progress.hasAttribute('value')) {
        log.progressSeen[id] = Math.max(log.progressSeen[id] || 0, progress.value);
      }
    }
  }).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
`;

async function openPage(
  user: 'alice' | 'bob' | 'carol',
  viewport = { width: 1280, height: 900 },
): Promise<Page> {
  const context: BrowserContext = await browser.newContext({ viewport, acceptDownloads: true });
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    // Chrome logs every non-2xx fetch; the API's 400 for the invalid form is expected.
    const { url } = message.location();
    if (/status of 400/.test(message.text()) && url === `${e2e.host.url}/api/reports/popularity`) return;
    pageErrors.push(`${user}: console: ${message.text()} (${url})`);
  });
  page.on('pageerror', (error) => pageErrors.push(`${user}: ${error.message}`));
  // Record what the live region says and every status a row passes through, as it happens.
  await page.addInitScript(RECORDER);
  await page.goto(`${e2e.host.url}/api/web`);
  await page.getByLabel('Bearer token').waitFor();
  if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, `web-sign-in-${user}.png`) });
  await page.getByLabel('Bearer token').fill(tokens[user]);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { name: 'New export' }).waitFor();
  return page;
}

interface PageLog {
  announced: string[];
  statuses: Record<string, string[]>;
  progressSeen: Record<string, number>;
}

const pageLog = (page: Page): Promise<PageLog> => page.evaluate<PageLog>('window.__log');

async function startExport(
  page: Page,
  reportType: string,
  fields: Record<string, string>,
  format?: string,
): Promise<{ id: string; row: Locator }> {
  const before = await page.locator('tr[data-report-id]').count();
  await page.getByLabel('Report', { exact: true }).selectOption(reportType);
  if (format) await page.getByLabel('Format', { exact: true }).selectOption(format);
  for (const [label, value] of Object.entries(fields)) await page.getByLabel(label).fill(value);
  await page.getByRole('button', { name: 'Start export' }).click();
  await expect.poll(() => page.locator('tr[data-report-id]').count()).toBe(before + 1);
  const row = page.locator('tr[data-report-id]').first();
  const id = (await row.getAttribute('data-report-id')) ?? '';
  expect(id).not.toBe('');
  return { id, row: page.locator(`tr[data-report-id="${id}"]`) };
}

async function apiGet(user: 'alice' | 'bob', path: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${e2e.host.url}${path}`, {
    headers: { authorization: `Bearer ${tokens[user]}` },
  });
  return (await response.json()) as Record<string, unknown>;
}

const browserAvailable = existsSync(CHROMIUM);
if (!browserAvailable)
  console.warn(`web page tests skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`);

beforeAll(async () => {
  if (!browserAvailable) return;
  const started = Date.now();
  await Promise.all([
    e2e.start(),
    // The page as `npm run build` makes it (the function serves dist/src/web/static, found at the first
    // request for it).
    promisify(execFile)('npm', ['run', '-s', 'build:web'], { cwd: ROOT }),
  ]);
  console.log(
    `web page: seeded ${RATINGS} ratings, started the host and built the page in ${Date.now() - started} ms`,
  );
  tokens.alice = e2e.token;
  tokens.bob = await e2e.tokenFor('bob');
  // carol is an admin of the tenant (Reports.Admin): the page shows her the tenant's webhooks.
  tokens.carol = await issueDevToken({
    tenantId: tenant,
    userId: 'carol',
    admin: true,
    dir: process.env.REPORT_EXPORTS_TEST_LOCAL_DIR,
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  if (SCREENSHOTS) await mkdir(SCREENSHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await e2e.cleanup();
});

describe.skipIf(!browserAvailable)('web page', () => {
  let alice: Page;

  it('serves the page with security headers and no-store config', async () => {
    const page = await fetch(`${e2e.host.url}/api/web`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await page.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
    const config = await fetch(`${e2e.host.url}/api/web/config.json`);
    expect(config.headers.get('cache-control')).toBe('no-store');
    expect(await config.json()).toEqual({ entra: null, tokenSignIn: true, devTokens: true });
  });

  it('renders the API reference at /api/docs from the OpenAPI document, with every route listed', async () => {
    const document = (await (await fetch(`${e2e.host.url}/api/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
      webhooks: Record<string, Record<string, unknown>>;
    };
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || /Content Security Policy/i.test(message.text())) {
        problems.push(message.text());
      }
    });
    page.on('pageerror', (error) => problems.push(error.message));
    const outside: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(e2e.host.url) && !request.url().startsWith('data:'))
        outside.push(request.url());
    });
    await page.goto(`${e2e.host.url}/api/docs`);
    await page.locator('.opblock').first().waitFor({ timeout: 20_000 });
    const routes = await page.evaluate<string[]>(
      `[...document.querySelectorAll('.opblock-summary')].map((block) =>
        block.querySelector('.opblock-summary-method').textContent + ' ' +
        block.querySelector('.opblock-summary-path').getAttribute('data-path'))`,
    );
    // The routes, and the events the service POSTs to webhooks (listed as operations too).
    const documented = [...Object.entries(document.paths), ...Object.entries(document.webhooks)].flatMap(
      ([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(routes.sort()).toEqual(documented.sort());
    expect(await page.locator('.info .title').textContent()).toContain('Report exports API');
    expect(await page.getByRole('link', { name: /web page/ }).getAttribute('href')).toBe('/api/web');
    const shot = join(SCREENSHOTS ?? (await mkdtemp(join(tmpdir(), 'api-docs-'))), 'api-docs.png');
    await page.screenshot({ path: shot, fullPage: true });
    const png = await readFile(shot);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png.readUInt32BE(20)).toBeGreaterThan(900); // the full page: taller than the window
    expect(problems).toEqual([]);
    expect(outside).toEqual([]);
    await context.close();
  }, 60_000);

  it('signs in with a development token, runs a popularity export to Completed and downloads it', async () => {
    alice = await openPage('alice');
    await expect.poll(() => alice.locator('#account-name').textContent()).toBe(`alice (${tenant})`);
    // Dates are typed as the hints and the API write them, not in the browser's locale.
    for (const label of ['From date', 'To date']) {
      const input = alice.getByLabel(label);
      expect(await input.getAttribute('type')).toBe('text');
      expect(await input.getAttribute('placeholder')).toBe('YYYY-MM-DD');
      expect(await input.inputValue()).toMatch(/^(\d{4}-\d{2}-\d{2})?$/);
    }
    // The two date inputs side by side line up, and their hints name fields as the form does.
    const [from, to] = await Promise.all(
      ['From date', 'To date'].map((label) => alice.getByLabel(label).boundingBox()),
    );
    expect(to?.y).toBe(from?.y);
    expect(await alice.locator('#param-toDate-hint').textContent()).toContain('From date');
    expect(await alice.locator('#param-toDate-hint').textContent()).not.toContain('fromDate');
    expect(await alice.getByRole('link', { name: 'API reference' }).getAttribute('href')).toBe('/api/docs');
    const parameters = { fromDate: '2020-01-01', toDate: '2020-12-31', top: 5 };
    const started = Date.now();
    const { id, row } = await startExport(alice, 'popularity', {
      'From date': parameters.fromDate,
      'To date': parameters.toDate,
      'Top (optional)': String(parameters.top),
    });
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 30_000 }).toBe('Completed');
    console.log(
      `web page: popularity export Completed on the page ${Date.now() - started} ms after the click`,
    );
    const log = await pageLog(alice);
    expect(log.statuses[id]?.[0]).toBe('Pending');
    expect(log.statuses[id]?.at(-1)).toBe('Completed');
    await expect
      .poll(async () => (await pageLog(alice)).announced)
      .toContainEqual(expect.stringMatching(/^Album popularity \(.*\) is completed, ready to download\.$/));
    await expect.poll(() => row.textContent()).toContain('5 rows');
    // When it was requested: with the time zone, on at most two lines.
    const requested = row.locator('time');
    expect(await requested.textContent()).toMatch(/\d{2}:\d{2}.*(UTC|GMT|[A-Z]{3,4})/);
    const box = await requested.boundingBox();
    // Two lines of text are about 2.4 font sizes high, three about 3.6.
    const fontSize = parseFloat(
      await alice.evaluate<string>(
        `getComputedStyle(document.querySelector('tr[data-report-id="${id}"] time')).fontSize`,
      ),
    );
    expect(box?.height ?? Infinity).toBeLessThan(3 * fontSize);

    const [download] = await Promise.all([
      alice.waitForEvent('download'),
      row.getByRole('button', { name: /^Download/ }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`popularity-${id}.csv`);
    const rows: string[][] = parse(await readFile(await download.path(), 'utf8'));
    const albums = generateAlbums(ALBUMS, SEED);
    const ratings = [...generateRatings(albums, RATINGS, SEED)];
    expect(rows).toEqual([POPULARITY_HEADER, ...rankFromDocuments(albums, ratings, parameters)]);
    // The page is still there after the download.
    await expect.poll(() => alice.url()).toBe(`${e2e.host.url}/api/web`);
  }, 60_000);

  it('shows progress of a large ratings export and cancels it', async () => {
    const started = Date.now();
    // XLSX: one pass (it cannot be chunked), slow enough to be cancelled after the DELETE is held a while.
    const { id, row } = await startExport(
      alice,
      'ratings',
      { 'From date': '2000-01-01', 'To date': '2030-12-31' },
      'xlsx',
    );
    const progress = row.locator('progress');
    await progress.waitFor({ timeout: 20_000 });
    await expect.poll(() => progress.getAttribute('value'), { timeout: 10_000 }).toMatch(/^\d/);
    await expect.poll(() => row.textContent()).toMatch(/[\d,]+ of [\d,]+ rows \(\d+%\)/);
    console.log(`web page: progress bar shown ${Date.now() - started} ms after the click`);
    if (SCREENSHOTS) await alice.screenshot({ path: join(SCREENSHOTS, 'web-progress.png') });
    // The DELETE is held on its way, as when the database is busy: the row says Cancelling at once,
    // and keeps saying it while polls still find the report Processing.
    let letDeleteGo = (): void => undefined;
    const held = new Promise<void>((resolve) => (letDeleteGo = resolve));
    await alice.route(`**/api/reports/${id}`, async (route) => {
      if (route.request().method() === 'DELETE') await held;
      await route.continue();
    });
    // From the keyboard: focus the row's Cancel button and press Enter.
    await row.getByRole('button', { name: /^Cancel/ }).focus();
    await alice.keyboard.press('Enter');
    const asked = Date.now();
    await expect.poll(() => row.locator('.badge').textContent(), { timeout: 1_000 }).toBe('Cancelling');
    await alice.waitForTimeout(1_000);
    expect(await row.locator('.badge').textContent()).toBe('Cancelling');
    expect(await row.getByRole('button', { name: /^Cancel/ }).count()).toBe(0);
    const answered = alice.waitForResponse(
      (response) => response.request().method() === 'DELETE' && response.url().endsWith(`/api/reports/${id}`),
    );
    letDeleteGo();
    await answered;
    await alice.unroute(`**/api/reports/${id}`);
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 15_000 }).toBe('Cancelled');
    console.log(`web page: Cancelled on the page ${Date.now() - asked} ms after the click`);
    expect(await apiGet('alice', `/api/reports/${id}`)).toMatchObject({ status: 'Cancelled' });
    const log = await pageLog(alice);
    expect(log.statuses[id]).toContain('Processing');
    expect(log.statuses[id]?.at(-1)).toBe('Cancelled');
    await expect
      .poll(async () => (await pageLog(alice)).announced)
      .toContainEqual(expect.stringMatching(/^All ratings \(.*\) is cancelled\.$/));
    expect(await row.getByRole('button').count()).toBe(0);
    // The button went away with the cancel; focus stays on the report rather than falling to the page.
    expect(
      await alice.evaluate<string | undefined>("document.activeElement.closest('tr')?.dataset.reportId"),
    ).toBe(id);
  }, 60_000);

  it('filters the list by status', async () => {
    const status = alice.getByLabel('Status', { exact: true });
    await status.selectOption('Cancelled');
    await expect.poll(() => alice.locator('tr[data-report-id]').evaluateAll((rows) => rows.length)).toBe(1);
    expect(await alice.locator('tr[data-report-id]').first().getAttribute('data-status')).toBe('Cancelled');
    await status.selectOption('Failed');
    await alice.getByText('No failed reports.').waitFor();
    await status.selectOption('');
    await expect.poll(() => alice.locator('tr[data-report-id]').count()).toBe(2);
  });

  it('shows the API validation message next to the field when fromDate is after toDate', async () => {
    const rowsBefore = await alice.locator('tr[data-report-id]').count();
    await alice.getByLabel('Report', { exact: true }).selectOption('popularity');
    await alice.getByLabel('From date').fill('2024-05-01');
    await alice.getByLabel('To date').fill('2024-01-01');
    await alice.getByRole('button', { name: 'Start export' }).click();
    const message = alice.locator('#param-toDate-error');
    await message.waitFor();
    expect(await message.textContent()).toBe('Must be on or after fromDate (2024-05-01)');
    const toDate = alice.getByLabel('To date');
    expect(await toDate.getAttribute('aria-invalid')).toBe('true');
    expect((await toDate.getAttribute('aria-describedby'))?.split(' ')).toContain('param-toDate-error');
    expect(await alice.evaluate<string>('document.activeElement.id')).toBe('param-toDate');
    expect(await alice.locator('tr[data-report-id]').count()).toBe(rowsBefore);
    // Fixing the field and sending again clears the message.
    await toDate.fill('2024-06-30');
    await alice.getByRole('button', { name: 'Start export' }).click();
    await expect.poll(() => alice.locator('tr[data-report-id]').count()).toBe(rowsBefore + 1);
    expect(await message.isHidden()).toBe(true);
  });

  it('starts a gzipped export of chosen columns in a time zone, and shows the warning of an empty one', async () => {
    await alice.getByLabel('Report', { exact: true }).selectOption('ratings');
    await alice.getByLabel('Compression').selectOption('gzip');
    await alice.getByLabel('User ID', { exact: true }).uncheck();
    await alice.getByLabel('Time zone').fill('Europe/Berlin');
    // A month without ratings: the export completes, empty, with a warning.
    const { id, row } = await startExport(alice, 'ratings', {
      'From date': '1990-01-01',
      'To date': '1990-01-31',
    });
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 30_000 }).toBe('Completed');
    await expect.poll(() => row.textContent()).toContain('No ratings matched');
    expect(await apiGet('alice', `/api/reports/${id}`)).toMatchObject({
      compression: 'gzip',
      columns: ['albumId', 'title', 'rating', 'ratedAt'],
      timeZone: 'Europe/Berlin',
      fileName: `ratings-${id}.csv.gz`,
      warnings: ['No ratings matched: none was given from 1990-01-01 to 1990-01-31 (UTC).'],
    });
    // XLSX takes no gzip: the field goes away.
    await alice.locator('#format').selectOption('xlsx');
    expect(await alice.locator('#compression-field').isHidden()).toBe(true);
  });

  it('reads well at 320 px wide without horizontal scrolling', async () => {
    if (SCREENSHOTS) await alice.screenshot({ path: join(SCREENSHOTS, 'web-desktop.png'), fullPage: true });
    await alice.setViewportSize({ width: 320, height: 800 });
    const widths = await alice.evaluate<{ scroll: number; viewport: number }>(
      '({ scroll: document.documentElement.scrollWidth, viewport: window.innerWidth })',
    );
    expect(widths.scroll).toBeLessThanOrEqual(widths.viewport);
    if (SCREENSHOTS) await alice.screenshot({ path: join(SCREENSHOTS, 'web-320.png'), fullPage: true });
  });

  it("does not show a second user the first user's reports, and pages through the user's own", async () => {
    const bob = await openPage('bob');
    await bob.getByText('No reports yet.').waitFor();
    expect(await bob.locator('tr[data-report-id]').count()).toBe(0);
    expect(await alice.locator('tr[data-report-id]').count()).toBeGreaterThanOrEqual(3);
    expect(await apiGet('bob', '/api/reports')).toMatchObject({ items: [] });

    // Twelve small reports of bob's own (a range without ratings), made through the API: two pages.
    const created: string[] = [];
    for (let top = 1; top <= 12; top++) {
      const response = await fetch(`${e2e.host.url}/api/reports/popularity`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens.bob}`, 'content-type': 'application/json' },
        body: JSON.stringify({ parameters: { fromDate: '2030-01-01', toDate: '2030-01-31', top } }),
      });
      expect(response.status).toBe(202);
      created.push(((await response.json()) as { reportId: string }).reportId);
    }
    await bob.getByRole('button', { name: 'Refresh' }).click();
    await expect.poll(() => bob.locator('tr[data-report-id]').count()).toBe(10);
    const firstPage = await Promise.all(
      (await bob.locator('tr[data-report-id]').all()).map((row) => row.getAttribute('data-report-id')),
    );
    expect(firstPage).toEqual(created.slice(2).reverse()); // newest first
    await bob.getByRole('button', { name: 'More' }).click();
    await expect.poll(() => bob.locator('tr[data-report-id]').count()).toBe(12);
    expect(await bob.getByRole('button', { name: 'More' }).isHidden()).toBe(true);
    await bob.close();
  });

  it("shows an admin the tenant's webhooks and their deliveries, and nobody else", async () => {
    // A receiver on this machine, registered through the API; a report that ends is delivered to it.
    const received: string[] = [];
    const server = createServer((request, response) => {
      received.push(request.headers['webhook-id'] as string);
      response.writeHead(204).end();
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
    const call = (path: string, body: unknown) =>
      fetch(`${e2e.host.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens.carol}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect(
      (
        await call('/api/webhooks', {
          url,
          events: ['report.completed', 'report.cancelled'],
          description: 'BI loader',
        })
      ).status,
    ).toBe(201);
    const created = (await (
      await call('/api/reports/popularity', { parameters: { fromDate: '2030-02-01', toDate: '2030-02-28' } })
    ).json()) as { reportId: string };
    await fetch(`${e2e.host.url}/api/reports/${created.reportId}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${tokens.carol}` },
    });

    const carol = await openPage('carol');
    await carol.getByRole('heading', { name: 'Webhooks' }).waitFor();
    const endpoint = carol.locator('li.webhook');
    await expect.poll(() => endpoint.textContent()).toContain(url);
    expect(await endpoint.textContent()).toContain('BI loader');
    // Cancelled at once, or finished first: either ending is delivered, once. (The endpoint is the
    // tenant's: reports of the earlier tests that end meanwhile are delivered to it too.)
    const mine = () => received.filter((id) => id === `evt_${created.reportId}`);
    await expect.poll(() => mine().length, { timeout: 20_000 }).toBe(1);
    await carol.waitForTimeout(1_000);
    expect(mine()).toHaveLength(1);
    await carol.getByRole('button', { name: 'Refresh webhooks' }).click();
    await expect.poll(() => endpoint.textContent()).toContain('Delivered');
    expect(await endpoint.textContent()).toMatch(/report\.(cancelled|completed)/);
    expect(await alice.getByRole('heading', { name: 'Webhooks' }).isHidden()).toBe(true);
    await carol.close();
    server.close();
  });

  it('logged no console errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
