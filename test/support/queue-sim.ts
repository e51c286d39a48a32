// A simulation of the export pipeline on virtual time, for the properties of fair sharing between
// tenants: the real export worker (claim, admission, plan, chunk window, commit, watchdog) over the
// in-memory stores, fed by one first-in-first-out queue with scheduled messages and duplicate detection
// (as Service Bus has), a relay of the outbox, and `workers` slots, as one instance's concurrent calls.
//
// Time: every message that does real work (it reads source data) takes `unitMs` of virtual time, spent
// at its first read; a message with nothing to run (a deferral, a duplicate) takes none. Messages sent
// while others run become visible at once, in order. Nothing here sleeps for real.
//
// Crashes: `crashAt(k)` makes the k-th store or broker operation hang for good, as if the process had
// died there: the handler never goes on, its slot is freed and its message comes back after the lock
// duration, and claims it held lapse and are found by the watchdog, which runs every `watchdogMs`.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { OutboxDocument, ReportDocument } from '../../src/domain/report';
import type { SourceData } from '../../src/domain/report-types/source-data';
import type { ExportWorker } from '../../src/services/export-worker';
import type { ChunkStore, MessagePublisher, OutboundMessage, ReportStore } from '../../src/services/ports';
import type { MemoryReportStore } from '../fakes/memory-report-store';

interface Queued {
  seq: number;
  id: string;
  body: unknown;
  visibleAt: number;
}

/** One delivery of a message to a worker slot. */
export interface Dispatch {
  /** Virtual time it started and ended (ms). */
  startedAt: number;
  endedAt: number | null;
  tenantId: string;
  reportId: string;
  chunk: number | null;
  /** Whether it did real work (read source data). */
  worked: boolean;
  outcome: string | null;
}

interface Running {
  dispatch: Dispatch;
  message: Queued;
  crashed: boolean;
}

interface Sleeper {
  wakeAt: number;
  wake: () => void;
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
const silent = { log: () => undefined, warn: () => undefined, error: () => undefined };

export class QueueSim {
  t = 0;
  readonly dispatches: Dispatch[] = [];
  /** Messages dropped as duplicates (same id seen before). */
  duplicates = 0;
  readonly #queue: Queued[] = [];
  readonly #seen = new Set<string>();
  readonly #relayed = new Set<string>();
  readonly #running = new Set<Running>();
  #sleepers: Sleeper[] = [];
  #seq = 0;
  #ops = 0;
  #crashAt = Number.POSITIVE_INFINITY;
  #nextWatchdog: number;
  readonly #als = new AsyncLocalStorage<Running>();
  /** Called after every change of state (a dispatch started or ended, time moved). */
  onStep: (() => Promise<void>) | undefined;

  constructor(
    readonly options: {
      workers: number;
      unitMs: number;
      lockMs: number;
      watchdogMs: number;
      start: number;
    },
  ) {
    this.t = options.start;
    this.#nextWatchdog = options.start + options.watchdogMs;
  }

  /** Operations counted so far (store and broker calls): the steps a crash can hit. */
  get operations(): number {
    return this.#ops;
  }

  /** The k-th operation from now on (1-based) hangs for good: the process dies there. */
  crashAt(k: number): void {
    this.#crashAt = k;
  }

  /** `inner` with each call counted as a step a crash can hit. */
  faulty<T extends object>(inner: T): T {
    return new Proxy(inner, {
      get: (target, key, receiver) => {
        const value: unknown = Reflect.get(target, key, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          if (this.#als.getStore() && ++this.#ops === this.#crashAt) {
            const running = this.#als.getStore();
            if (running) running.crashed = true;
            return new Promise(() => undefined);
          }
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  }

  readonly publisher: MessagePublisher = {
    publish: (messages: OutboundMessage[]) => {
      for (const message of messages)
        this.#enqueue(message.messageId, message.body, message.scheduledEnqueueTimeUtc?.getTime() ?? this.t);
      return Promise.resolve();
    },
  };

  /** `data` whose first read in each dispatch takes one unit of virtual time. */
  timed(data: SourceData): SourceData {
    const gate = async () => {
      const running = this.#als.getStore();
      if (!running || running.dispatch.worked) return;
      running.dispatch.worked = true;
      await new Promise<void>((wake) => this.#sleepers.push({ wakeAt: this.t + this.options.unitMs, wake }));
    };
    return {
      async *albums(filter, signal) {
        await gate();
        yield* data.albums(filter, signal);
      },
      async *ratings(filter, signal) {
        await gate();
        yield* data.ratings(filter, signal);
      },
      countRatings: async (filter, signal) => {
        await gate();
        return data.countRatings(filter, signal);
      },
      ratingStats: async (filter, signal) => {
        await gate();
        return data.ratingStats(filter, signal);
      },
    };
  }

  #enqueue(id: string, body: unknown, at: number): void {
    if (this.#seen.has(id)) {
      this.duplicates++;
      return;
    }
    this.#seen.add(id);
    this.#queue.push({ seq: ++this.#seq, id, body, visibleAt: Math.max(at, this.t) });
  }

  /**
   * Sends the outbox documents of the report-requests queue not relayed yet, oldest first (the change
   * feed's order). Report events go to a queue of their own, which the simulation leaves out.
   */
  relay(store: MemoryReportStore): void {
    const fresh = store
      .docs()
      .filter(
        (doc): doc is OutboxDocument =>
          doc.kind === 'outbox' && doc.messageType !== 'ReportEvent' && !this.#relayed.has(doc.id),
      )
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    for (const doc of fresh) {
      this.#relayed.add(doc.id);
      this.#enqueue(doc.id, doc.payload, this.t);
    }
  }

  /**
   * Removes the queued messages `matches` picks, as a message that leaves the queue unprocessed (its time
   * to live ran out, a purge, an operator). Returns how many.
   */
  lose(matches: (body: unknown) => boolean): number {
    const lost = this.#queue.filter((message) => matches(message.body));
    for (const message of lost) this.#queue.splice(this.#queue.indexOf(message), 1);
    return lost.length;
  }

  /** Messages waiting on the queue (visible or scheduled). */
  queued(): { body: unknown; visible: boolean }[] {
    return this.#queue.map((m) => ({ body: m.body, visible: m.visibleAt <= this.t }));
  }

  /** What is running now. */
  running(): Dispatch[] {
    return [...this.#running].map((r) => r.dispatch);
  }

  #nextDue(): Queued | undefined {
    let best: Queued | undefined;
    for (const message of this.#queue)
      if (message.visibleAt <= this.t && (!best || message.seq < best.seq)) best = message;
    if (best) this.#queue.splice(this.#queue.indexOf(best), 1);
    return best;
  }

  #start(worker: ExportWorker, message: Queued): void {
    const body = message.body as { tenantId: string; reportId: string; chunkIndex?: number };
    const dispatch: Dispatch = {
      startedAt: this.t,
      endedAt: null,
      tenantId: body.tenantId,
      reportId: body.reportId,
      chunk: body.chunkIndex ?? null,
      worked: false,
      outcome: null,
    };
    this.dispatches.push(dispatch);
    const running: Running = { dispatch, message, crashed: false };
    this.#running.add(running);
    void this.#als
      .run(running, () => worker.handle(message.body, silent))
      .then(
        (outcome) => {
          dispatch.outcome = outcome;
        },
        () => {
          // Thrown: the broker delivers the message again (at once; the message keeps its place).
          dispatch.outcome = 'thrown';
          this.#queue.push({ ...message, seq: message.seq, visibleAt: this.t });
        },
      )
      .finally(() => {
        dispatch.endedAt = this.t;
        this.#running.delete(running);
      });
  }

  /** Lets every running handler go on until it waits on virtual time, hangs (crashed) or ends. */
  async #settle(): Promise<void> {
    for (let i = 0; i < 100_000; i++) {
      await tick();
      for (const running of [...this.#running]) {
        if (!running.crashed) continue;
        // The process died: its slot is free, and its message comes back once its lock runs out.
        this.#running.delete(running);
        running.dispatch.outcome = 'crashed';
        running.dispatch.endedAt = this.t;
        this.#queue.push({ ...running.message, visibleAt: this.t + this.options.lockMs });
        this.#crashAt = Number.POSITIVE_INFINITY;
      }
      const busy = [...this.#running].filter((r) => !r.crashed).length;
      if (busy === this.#sleepers.length) return;
    }
    throw new Error('the simulation did not settle: a handler neither ends nor waits');
  }

  /**
   * Runs until `done()` or until nothing is left to do (then throws: work was stranded), at most until
   * virtual time `limit`.
   */
  async run(
    worker: ExportWorker,
    store: MemoryReportStore,
    done: () => Promise<boolean>,
    limit: number,
  ): Promise<void> {
    for (;;) {
      this.relay(store);
      while (this.#running.size < this.options.workers) {
        const message = this.#nextDue();
        if (!message) break;
        this.#start(worker, message);
        await this.#settle();
        this.relay(store);
        await this.onStep?.();
      }
      if (await done()) return;
      const free = this.#running.size < this.options.workers;
      const next = Math.min(
        ...this.#sleepers.map((s) => s.wakeAt),
        this.#nextWatchdog,
        ...(free ? this.#queue.map((m) => m.visibleAt).filter((at) => at > this.t) : []),
      );
      if (next > limit) throw new Error(`not done by virtual time ${limit - this.options.start} ms`);
      this.t = Math.max(this.t, next);
      const due = this.#sleepers.filter((s) => s.wakeAt <= this.t);
      this.#sleepers = this.#sleepers.filter((s) => s.wakeAt > this.t);
      for (const sleeper of due) sleeper.wake();
      if (this.t >= this.#nextWatchdog) {
        this.#nextWatchdog = this.t + this.options.watchdogMs;
        await worker.sweepExpiredLeases(silent);
      }
      await this.#settle();
      await this.onStep?.();
    }
  }
}

/** Report and chunk stores seen through the simulation's crash points. */
export function faultyStores(
  sim: QueueSim,
  store: ReportStore,
  chunks: ChunkStore,
): { store: ReportStore; chunks: ChunkStore } {
  return { store: sim.faulty(store), chunks: sim.faulty(chunks) };
}

/** Whether every report of `ids` is in a terminal state. */
export async function allEnded(store: ReportStore, reports: ReportDocument[]): Promise<boolean> {
  for (const report of reports) {
    const status = (await store.get(report.tenantId, report.id))?.doc.status;
    if (status !== 'Completed' && status !== 'Failed' && status !== 'Cancelled') return false;
  }
  return true;
}
