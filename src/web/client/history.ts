// The report list: newest first, a page at a time ("More"), filtered by status; each active report is
// polled (fast while Processing, slower while Pending) until it finishes; Cancel and Download.
// One cohesive thing, the list view and its polling; the pure parts (polling delays, problems, DOM
// helpers) live in their own modules.
import type { ReportPage, ReportResource } from './types';
import { ApiError, type Api } from './api';
import { announce, byId, h, replaceChildren } from './dom';
import { isActive, nextPollDelay } from './polling';
import { fileText, outcomeText, parametersText, progressText, statusLabel } from './text';

const PAGE_SIZE = 10;

export interface HistoryOptions {
  api: Api;
  /** Report type name -> title. */
  titles: ReadonlyMap<string, string>;
  signal: AbortSignal;
}

export interface History {
  /** Loads the first page again (with the current filter). */
  reload(): Promise<void>;
  /** Puts a report at the top (just created) and follows it. */
  add(report: ReportResource): void;
  /** Makes sure a report is listed, then moves focus to it. */
  reveal(reportId: string): Promise<void>;
}

interface Row {
  report: ReportResource;
  tr: HTMLTableRowElement;
  header: HTMLTableCellElement;
  status: HTMLTableCellElement;
  actions: HTMLTableCellElement;
  /** Which buttons the actions cell holds, to rebuild it only when that changes. */
  actionsKey: string;
}

/** The day and the time with its zone (the browser's), each kept on one line. */
const dayFormat = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
const timeFormat = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit',
  minute: '2-digit',
  timeZoneName: 'short',
});

export function setUpHistory(options: HistoryOptions): History {
  const { api, titles, signal } = options;
  const body = byId<HTMLTableSectionElement>('report-rows');
  const table = byId<HTMLTableElement>('reports');
  const empty = byId('reports-empty');
  const more = byId<HTMLButtonElement>('more');
  const filter = byId<HTMLSelectElement>('status-filter');
  const refresh = byId<HTMLButtonElement>('refresh');
  const listError = byId('list-error');
  const rows = new Map<string, Row>();
  let continuationToken: string | null = null;
  let timer: number | undefined;
  let failures = 0;
  let polling = false;
  let generation = 0;

  const titleOf = (report: ReportResource): string => titles.get(report.reportType) ?? report.reportType;
  const describe = (report: ReportResource): string =>
    `${titleOf(report)} (${parametersText(report.parameters)})`;

  function statusContent(report: ReportResource): Node[] {
    const label = statusLabel(report.status, report.cancelRequested);
    const nodes: Node[] = [h('span', { class: `badge badge-${label.toLowerCase()}` }, label)];
    switch (report.status) {
      case 'Processing': {
        const { percent } = report.progress;
        const progressId = `progress-${report.reportId}`;
        nodes.push(
          h('progress', {
            max: 100,
            value: percent === null ? null : percent,
            'aria-label': `Progress of ${titleOf(report)}`,
            'aria-describedby': progressId,
          }),
          h('span', { class: 'detail', id: progressId }, progressText(report.progress)),
        );
        break;
      }
      case 'Pending':
        nodes.push(
          h('span', { class: 'detail' }, report.cancelRequested ? 'Cancelling...' : 'Waiting to start'),
        );
        break;
      case 'Completed':
        nodes.push(
          h('span', { class: report.truncated ? 'detail warning-text' : 'detail' }, fileText(report)),
          ...report.warnings.map((warning) => h('span', { class: 'detail warning-text' }, warning)),
        );
        break;
      case 'Failed':
        nodes.push(h('span', { class: 'detail error-text' }, report.error?.message ?? 'The export failed.'));
        break;
      case 'Cancelled':
        break;
    }
    return nodes;
  }

  function actionsFor(report: ReportResource): { key: string; buttons: HTMLButtonElement[] } {
    const buttons: HTMLButtonElement[] = [];
    const what = h('span', { class: 'visually-hidden' }, ` ${describe(report)}`);
    if (report.status === 'Completed') {
      const button = h('button', { type: 'button', class: 'primary' }, 'Download', what);
      button.addEventListener('click', () => void download(report.reportId), { signal });
      buttons.push(button);
    }
    if (isActive(report.status) && !report.cancelRequested) {
      const button = h('button', { type: 'button' }, 'Cancel', what);
      button.addEventListener('click', () => void cancel(report.reportId), { signal });
      buttons.push(button);
    }
    return { key: buttons.map((b) => b.firstChild?.textContent).join('|'), buttons };
  }

  function render(row: Row): void {
    const { report } = row;
    row.tr.dataset.status = report.status;
    replaceChildren(row.status, ...statusContent(report));
    const { key, buttons } = actionsFor(report);
    if (key !== row.actionsKey) {
      const hadFocus = row.actions.contains(document.activeElement);
      replaceChildren(row.actions, ...buttons);
      row.actionsKey = key;
      if (hadFocus) (buttons[0] ?? row.header).focus();
    }
  }

  function createRow(report: ReportResource): Row {
    const created = new Date(report.createdAt);
    const header = h(
      'th',
      { scope: 'row', role: 'rowheader', 'data-label': 'Report', tabindex: -1 },
      h('span', { class: 'report-title' }, titleOf(report)),
      h('span', { class: 'detail' }, `${parametersText(report.parameters)} · ${report.format.toUpperCase()}`),
    );
    const status = h('td', { role: 'cell', 'data-label': 'Status' });
    const actions = h('td', { role: 'cell', class: 'actions', 'data-label': 'Actions' });
    const tr = h(
      'tr',
      { role: 'row', 'data-report-id': report.reportId },
      header,
      h(
        'td',
        { role: 'cell', 'data-label': 'Requested' },
        h(
          'time',
          { datetime: report.createdAt, title: report.createdAt },
          h('span', { class: 'nowrap' }, dayFormat.format(created)),
          ' ',
          h('span', { class: 'nowrap' }, timeFormat.format(created)),
        ),
      ),
      status,
      actions,
    );
    const row: Row = { report, tr, header, status, actions, actionsKey: '' };
    render(row);
    return row;
  }

  /** Reports whose `DELETE` is on its way: shown as cancelling whatever a poll meanwhile says. */
  const cancelling = new Set<string>();

  function update(answer: ReportResource): void {
    const row = rows.get(answer.reportId);
    if (!row) return;
    const report =
      cancelling.has(answer.reportId) && isActive(answer.status)
        ? { ...answer, cancelRequested: true }
        : answer;
    const before = row.report;
    row.report = report;
    render(row);
    const was = statusLabel(before.status, before.cancelRequested);
    const now = statusLabel(report.status, report.cancelRequested);
    if (was !== now) announce(`${describe(report)} is ${now.toLowerCase()}${outcomeText(report)}.`);
  }

  function showEmpty(): void {
    empty.textContent = filter.value ? `No ${filter.value.toLowerCase()} reports.` : 'No reports yet.';
    empty.hidden = rows.size > 0;
    table.hidden = rows.size === 0;
  }

  function insert(report: ReportResource, where: 'top' | 'bottom'): Row {
    const existing = rows.get(report.reportId);
    if (existing) {
      update(report);
      return existing;
    }
    const row = createRow(report);
    rows.set(report.reportId, row);
    if (where === 'top') body.prepend(row.tr);
    else body.append(row.tr);
    showEmpty();
    return row;
  }

  // --- polling ----------------------------------------------------------------------------------

  /** When the page last created a report (Date.now()), for the quick first polls. */
  let createdAt: number | undefined;

  function schedule(): void {
    if (polling) return; // the poll in flight schedules the next one when it is done
    window.clearTimeout(timer);
    timer = undefined;
    if (signal.aborted) return;
    const statuses = [...rows.values()].map((row) => row.report.status);
    const sinceCreateMs = createdAt === undefined ? undefined : Date.now() - createdAt;
    const delay = nextPollDelay({ statuses, hidden: document.hidden, failures, sinceCreateMs });
    if (delay !== null) timer = window.setTimeout(() => void poll(), delay);
  }

  async function poll(): Promise<void> {
    const active = [...rows.values()].filter((row) => isActive(row.report.status));
    polling = true;
    const results = await Promise.allSettled(
      active.map((row) => api.get<ReportResource>(`/api/reports/${encodeURIComponent(row.report.reportId)}`)),
    ).finally(() => {
      polling = false;
    });
    if (signal.aborted) return;
    let failed = false;
    results.forEach((result, i) => {
      if (result.status === 'fulfilled') update(result.value.body);
      else if (result.reason instanceof ApiError && result.reason.status === 404) {
        const row = active[i];
        if (row) remove(row.report.reportId);
      } else failed = true;
    });
    failures = failed ? failures + 1 : 0;
    schedule();
  }

  function remove(reportId: string): void {
    rows.get(reportId)?.tr.remove();
    rows.delete(reportId);
    showEmpty();
  }

  // --- actions ----------------------------------------------------------------------------------

  async function cancel(reportId: string): Promise<void> {
    // Shown at once: the answer may take a while when the database is busy.
    const row = rows.get(reportId);
    const before = row?.report;
    if (row && isActive(row.report.status)) {
      cancelling.add(reportId);
      row.report = { ...row.report, cancelRequested: true };
      render(row);
      announce(`Cancelling ${describe(row.report)}...`);
    }
    try {
      const response = await api.delete<ReportResource>(`/api/reports/${encodeURIComponent(reportId)}`);
      cancelling.delete(reportId);
      update(response.body);
    } catch (error) {
      cancelling.delete(reportId);
      if (!(error instanceof ApiError) || error.status === 401) return;
      if (error.status === 409) {
        // Finished in the meantime: show how.
        const fresh = await api.get<ReportResource>(`/api/reports/${encodeURIComponent(reportId)}`);
        update(fresh.body);
        return;
      }
      if (row && before) {
        row.report = before;
        render(row);
      }
      announce(`Could not cancel: ${error.message}`);
    }
    schedule();
  }

  async function download(reportId: string): Promise<void> {
    try {
      // The JSON API gives a fresh read-only link; the browser then fetches the file from storage directly.
      const { body: report } = await api.get<ReportResource>(`/api/reports/${encodeURIComponent(reportId)}`);
      update(report);
      if (!report.downloadUrl) {
        announce(`The report is ${report.status.toLowerCase()}; there is nothing to download.`);
        return;
      }
      announce(`Downloading ${report.fileName ?? 'the report'}.`);
      window.location.assign(report.downloadUrl);
    } catch (error) {
      if (error instanceof ApiError && error.status !== 401) announce(`Could not download: ${error.message}`);
    }
  }

  // --- loading pages ----------------------------------------------------------------------------

  async function loadPage(reset: boolean): Promise<Row[]> {
    const mine = reset ? ++generation : generation;
    const query = new URLSearchParams({ pageSize: String(PAGE_SIZE) });
    if (filter.value) query.set('status', filter.value);
    if (!reset && continuationToken) query.set('continuationToken', continuationToken);
    listError.hidden = true;
    table.setAttribute('aria-busy', 'true');
    try {
      const { body: page } = await api.get<ReportPage>(`/api/reports?${query.toString()}`);
      if (mine !== generation || signal.aborted) return [];
      if (reset) {
        rows.clear();
        body.replaceChildren();
      }
      const added = page.items.filter((r) => !rows.has(r.reportId)).map((r) => insert(r, 'bottom'));
      continuationToken = page.continuationToken;
      more.hidden = !continuationToken;
      showEmpty();
      schedule();
      return added;
    } catch (error) {
      if (error instanceof ApiError && error.status !== 401) {
        listError.textContent = `The reports could not be loaded: ${error.message}`;
        listError.hidden = false;
      }
      return [];
    } finally {
      table.removeAttribute('aria-busy');
    }
  }

  filter.addEventListener('change', () => void loadPage(true), { signal });
  refresh.addEventListener('click', () => void loadPage(true).then(() => announce('Reports refreshed.')), {
    signal,
  });
  more.addEventListener(
    'click',
    () =>
      void loadPage(false).then((added) => {
        announce(added.length === 1 ? '1 more report.' : `${added.length} more reports.`);
        if (more.hidden) added[0]?.header.focus();
      }),
    { signal },
  );
  document.addEventListener('visibilitychange', schedule, { signal });
  signal.addEventListener('abort', () => {
    window.clearTimeout(timer);
    rows.clear();
    body.replaceChildren();
    continuationToken = null;
    more.hidden = true;
  });

  return {
    reload: () => loadPage(true).then(() => undefined),
    add(report) {
      createdAt = Date.now();
      if (filter.value && filter.value !== report.status) {
        filter.value = '';
        void loadPage(true);
        return;
      }
      insert(report, 'top');
      schedule();
    },
    async reveal(reportId) {
      let row = rows.get(reportId);
      if (!row) {
        try {
          const { body: report } = await api.get<ReportResource>(
            `/api/reports/${encodeURIComponent(reportId)}`,
          );
          row = insert(report, 'top');
          schedule();
        } catch {
          return;
        }
      }
      row.tr.classList.add('highlight');
      row.header.focus();
    },
  };
}
