// An in-memory ReportStore for unit tests: the semantics production relies on from Cosmos DB (an atomic
// transactional batch, etag-conditional replaces, opaque continuation tokens) without a database.
// It also enforces the report state machine on every write, which Cosmos cannot: it knows the stored
// report, so `replace` and `updateClaimed` throw InvalidTransitionError for a status change the lifecycle
// does not allow, and for any rewrite of a terminal report (a second completion). A service that skipped
// `transition` would fail its unit tests here. Otherwise it passes the same contract as the Cosmos adapter
// (test/contracts/report-store.contract.ts).
import { randomUUID } from 'node:crypto';
import {
  DependencyError,
  InvalidContinuationTokenError,
  InvalidTransitionError,
} from '../../src/domain/errors';
import {
  canTransition,
  isTerminal,
  summaryOf,
  type OutboxDocument,
  type ReportDocument,
  type ReportStatus,
} from '../../src/domain/report';
import { reportEventOutbox } from '../../src/domain/webhooks';
import type { ReportListFilter, ReportPage, ReportStore, Stored } from '../../src/services/ports';

type AnyDocument = ReportDocument | OutboxDocument;

interface Entry {
  doc: AnyDocument;
  etag: string;
  /** When it was last written (ms), as Cosmos DB's `_ts` (in seconds there). */
  ts: number;
}

interface IssuedToken {
  offset: number;
  query: string;
}

const keyOf = (tenantId: string, id: string): string => JSON.stringify([tenantId, id]);
const copy = <T>(value: T): T => structuredClone(value);
const isReport = (doc: AnyDocument): doc is ReportDocument => doc.kind === 'report';
/** Newest first, as Cosmos orders by createdAt (ties by id, so the order is stable). */
const newestFirst = (a: ReportDocument, b: ReportDocument): number =>
  b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id);

/** The error for writing a report stored as `from` with status `to`, if the state machine forbids it. */
function refusedWrite(from: ReportStatus, to: ReportStatus): InvalidTransitionError | undefined {
  const allowed = from === to ? !isTerminal(from) : canTransition(from, to);
  return allowed ? undefined : new InvalidTransitionError(from, to);
}

/** A chunked export under way with no claim on the report itself (its chunks hold theirs). */
const chunkedUnderWay = (doc: ReportDocument): boolean =>
  doc.status === 'Processing' &&
  doc.chunkPlan !== undefined &&
  doc.chunkPlan !== null &&
  typeof doc.leaseExpiresAt !== 'string';

export class MemoryReportStore implements ReportStore {
  readonly #entries = new Map<string, Entry>();
  readonly #tokens = new Map<string, IssuedToken>();
  #beforeNextReplace: ((doc: ReportDocument) => void) | undefined;
  #writes = 0;
  /** The clock that stamps each write (a test on virtual time sets its own). */
  clock: () => number = Date.now;

  /** How many writes the store has accepted (a failed request must not add any). */
  get writes(): number {
    return this.#writes;
  }

  createWithOutbox(report: ReportDocument, outbox: OutboxDocument): Promise<'created' | 'conflict'> {
    const reportKey = keyOf(report.tenantId, report.id);
    const outboxKey = keyOf(outbox.tenantId, outbox.id);
    if (report.tenantId !== outbox.tenantId) {
      return Promise.reject(new Error('a transactional batch spans one partition'));
    }
    // All or nothing: check every operation before applying any.
    if (this.#entries.has(reportKey) || this.#entries.has(outboxKey)) return Promise.resolve('conflict');
    this.#put(reportKey, report);
    this.#put(outboxKey, outbox);
    return Promise.resolve('created');
  }

  get(tenantId: string, reportId: string): Promise<Stored<ReportDocument> | undefined> {
    const entry = this.#entries.get(keyOf(tenantId, reportId));
    if (!entry || !isReport(entry.doc)) return Promise.resolve(undefined);
    return Promise.resolve({ doc: copy(entry.doc), etag: entry.etag });
  }

  findActive(tenantId: string, ownerId: string, requestHash: string): Promise<ReportDocument | undefined> {
    // The newest, as the Cosmos query's ORDER BY createdAt DESC picks it.
    const [found] = this.#reports()
      .filter(
        (r) =>
          r.tenantId === tenantId &&
          r.ownerId === ownerId &&
          r.requestHash === requestHash &&
          (r.status === 'Pending' || r.status === 'Processing'),
      )
      .sort(newestFirst);
    return Promise.resolve(found && copy(found));
  }

  /** The tenant's reports that hold a place: a re-driven one holds none until it is claimed. */
  #placeHolders(tenantId: string): ReportDocument[] {
    return this.#reports().filter((r) => r.tenantId === tenantId && typeof r.redrivenAt !== 'string');
  }

  countActive(tenantId: string, ownerId: string): Promise<number> {
    return Promise.resolve(
      this.#placeHolders(tenantId).filter(
        (r) => r.ownerId === ownerId && (r.status === 'Pending' || r.status === 'Processing'),
      ).length,
    );
  }

  countAhead(tenantId: string, report: Pick<ReportDocument, 'id' | 'createdAt'>): Promise<number> {
    const before = (r: ReportDocument) =>
      r.createdAt < report.createdAt || (r.createdAt === report.createdAt && r.id < report.id);
    return Promise.resolve(
      this.#placeHolders(tenantId).filter(
        (r) => r.status === 'Processing' || (r.status === 'Pending' && before(r)),
      ).length,
    );
  }

  countProcessing(tenantId: string): Promise<number> {
    return Promise.resolve(this.#placeHolders(tenantId).filter((r) => r.status === 'Processing').length);
  }

  oldestPending(tenantId: string, limit: number): Promise<ReportDocument[]> {
    const pending = this.#reports()
      .filter((r) => r.tenantId === tenantId && r.status === 'Pending')
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id))
      .slice(0, limit);
    return Promise.resolve(copy(pending));
  }

  list(
    tenantId: string,
    filter: ReportListFilter,
    pageSize: number,
    continuationToken?: string,
  ): Promise<ReportPage> {
    if (!Number.isInteger(pageSize) || pageSize < 1) {
      return Promise.reject(new RangeError('pageSize must be a positive integer'));
    }
    // A token is good for the query and page size it was issued for only, as the Cosmos adapter's are.
    const query = JSON.stringify([
      tenantId,
      filter.ownerId ?? null,
      filter.status ?? null,
      filter.reportType ?? null,
      pageSize,
      ...(filter.format === undefined ? [] : [filter.format]),
    ]);
    let offset = 0;
    if (continuationToken !== undefined) {
      const issued = this.#tokens.get(continuationToken);
      if (!issued || issued.query !== query) return Promise.reject(new InvalidContinuationTokenError());
      offset = issued.offset;
    }
    const matching = this.#reports()
      .filter(
        (r) =>
          r.tenantId === tenantId &&
          (filter.ownerId === undefined || r.ownerId === filter.ownerId) &&
          (filter.status === undefined || r.status === filter.status) &&
          (filter.reportType === undefined || r.reportType === filter.reportType) &&
          (filter.format === undefined || r.format === filter.format),
      )
      .sort(newestFirst);
    const items = matching.slice(offset, offset + pageSize).map((report) => summaryOf(copy(report)));
    const next = offset + pageSize;
    let token: string | null = null;
    if (next < matching.length) {
      token = Buffer.from(JSON.stringify({ offset: next, nonce: randomUUID() })).toString('base64url');
      this.#tokens.set(token, { offset: next, query });
    }
    return Promise.resolve({ items, continuationToken: token });
  }

  replace(report: ReportDocument, etag: string): Promise<Stored<ReportDocument> | 'conflict'> {
    const key = keyOf(report.tenantId, report.id);
    const hook = this.#beforeNextReplace;
    this.#beforeNextReplace = undefined;
    if (hook) {
      const current = this.#entries.get(key);
      if (current && isReport(current.doc)) {
        const changed = copy(current.doc);
        hook(changed);
        this.#put(key, changed);
      }
    }
    const entry = this.#entries.get(key);
    // Cosmos answers 404 for a replace of a document that is not there, which the adapter throws as the
    // database's refusal.
    if (!entry) return Promise.reject(new DependencyError('database', 404));
    if (!isReport(entry.doc) || entry.etag !== etag) return Promise.resolve('conflict');
    const refused = refusedWrite(entry.doc.status, report.status);
    if (refused) return Promise.reject(refused);
    const stored = this.#put(key, report);
    this.#putEvent(report);
    return Promise.resolve({ doc: copy(report), etag: stored.etag });
  }

  updateClaimed(
    tenantId: string,
    reportId: string,
    owner: string,
    fields: Partial<ReportDocument>,
  ): Promise<ReportDocument | 'lost'> {
    const key = keyOf(tenantId, reportId);
    const entry = this.#entries.get(key);
    if (!entry || !isReport(entry.doc)) return Promise.resolve('lost');
    if (entry.doc.status !== 'Processing' || entry.doc.leaseOwner !== owner) return Promise.resolve('lost');
    const refused = fields.status === undefined ? undefined : refusedWrite(entry.doc.status, fields.status);
    if (refused) return Promise.reject(refused);
    const updated = { ...entry.doc, ...copy(fields) };
    this.#put(key, updated);
    this.#putEvent(updated);
    return Promise.resolve(copy(updated));
  }

  /** Reports that meet `keep`, least recently written first, at most `limit`. */
  #oldest(keep: (doc: ReportDocument, ts: number) => boolean, limit: number): Stored<ReportDocument>[] {
    return [...this.#entries.values()]
      .filter((e): e is Entry & { doc: ReportDocument } => isReport(e.doc) && keep(e.doc, e.ts))
      .sort((a, b) => a.ts - b.ts)
      .slice(0, limit)
      .map((e) => ({ doc: copy(e.doc), etag: e.etag }));
  }

  findStalled(before: Date, limit: number): Promise<Stored<ReportDocument>[]> {
    const cutoff = before.getTime();
    return Promise.resolve([
      ...this.#oldest((doc, ts) => doc.status === 'Pending' && ts < cutoff, limit),
      ...this.#oldest((doc, ts) => chunkedUnderWay(doc) && ts < cutoff, limit),
    ]);
  }

  findCancelling(limit: number): Promise<Stored<ReportDocument>[]> {
    return Promise.resolve(
      this.#oldest((doc) => chunkedUnderWay(doc) && doc.cancelRequested === true, limit),
    );
  }

  findExpiredLeases(now: Date, limit: number): Promise<Stored<ReportDocument>[]> {
    const cutoff = now.toISOString();
    const expired = [...this.#entries.values()]
      .filter(
        (e): e is Entry & { doc: ReportDocument } =>
          isReport(e.doc) &&
          e.doc.status === 'Processing' &&
          typeof e.doc.leaseExpiresAt === 'string' &&
          e.doc.leaseExpiresAt < cutoff,
      )
      .sort((a, b) => String(a.doc.leaseExpiresAt).localeCompare(String(b.doc.leaseExpiresAt)))
      .slice(0, limit);
    return Promise.resolve(expired.map((e) => ({ doc: copy(e.doc), etag: e.etag })));
  }

  addOutbox(outbox: OutboxDocument): Promise<'created' | 'exists'> {
    const key = keyOf(outbox.tenantId, outbox.id);
    if (this.#entries.has(key)) return Promise.resolve('exists');
    this.#put(key, outbox);
    return Promise.resolve('created');
  }

  // ---- test helpers ----

  /** Every stored document (reports and outbox messages), copied, in a stable order. */
  docs(): AnyDocument[] {
    return [...this.#entries.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([, entry]) => copy(entry.doc));
  }

  /**
   * Makes the next `replace` lose a race: just before it, someone else writes the report (new etag),
   * applying `change` (e.g. a worker's progress update), so the replace sees a stale etag -> 'conflict'.
   */
  concurrentWriteBeforeNextReplace(change: (doc: ReportDocument) => void = () => undefined): void {
    this.#beforeNextReplace = change;
  }

  /** Forces a stored report into `status` (as the worker would), with a new etag; `patch` sets other fields. */
  forceStatus(
    tenantId: string,
    reportId: string,
    status: ReportStatus,
    patch: Partial<ReportDocument> = {},
  ): void {
    const key = keyOf(tenantId, reportId);
    const entry = this.#entries.get(key);
    if (!entry || !isReport(entry.doc)) throw new Error(`no report ${reportId} in tenant ${tenantId}`);
    this.#put(key, { ...entry.doc, ...patch, status });
  }

  #reports(): ReportDocument[] {
    return [...this.#entries.values()].map((entry) => entry.doc).filter(isReport);
  }

  /** A report that has just ended gets its event outbox document, in the same (atomic) write. */
  #putEvent(report: ReportDocument): void {
    const event = reportEventOutbox(report);
    if (event) this.#put(keyOf(event.tenantId, event.id), event);
  }

  #put(key: string, doc: AnyDocument): Entry {
    const entry = { doc: copy(doc), etag: `"${randomUUID()}"`, ts: this.clock() };
    this.#entries.set(key, entry);
    this.#writes++;
    return entry;
  }
}
