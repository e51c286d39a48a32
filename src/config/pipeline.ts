// How a request moves on and how much of it runs at once: the outbox relay, the export worker, and the
// per-user and per-tenant limits.
import { z } from 'zod';
import { longestRetryDelayMs } from '../domain/backoff';

export const outbox = z
  .object({
    OUTBOX_SWEEP_GRACE_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
    OUTBOX_RETRY_MAX_SECONDS: z.coerce.number().int().min(1).max(86400).default(300),
    OUTBOX_DISPATCHED_TTL_SECONDS: z.coerce
      .number()
      .int()
      .min(60)
      .default(7 * 24 * 3600),
  })
  .transform((s) => ({
    /** Outbox docs younger than this are left to the change feed; the sweeper takes older ones. */
    sweepGraceSeconds: s.OUTBOX_SWEEP_GRACE_SECONDS,
    /** Seconds a dispatched outbox doc is kept (Cosmos TTL). */
    dispatchedTtlSeconds: s.OUTBOX_DISPATCHED_TTL_SECONDS,
    /**
     * Longest wait before the sweeper retries a doc whose relay failed. The first retry waits the grace
     * period (at least 1 s), each further one twice as long, up to this.
     */
    retryMaxSeconds: s.OUTBOX_RETRY_MAX_SECONDS,
  }));

/** How the export worker claims, retries and gives up on a report. */
export const worker = z
  .object({
    WORKER_LEASE_SECONDS: z.coerce.number().int().min(5).max(3600).default(15),
    WORKER_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(5),
    WORKER_RETRY_BASE_SECONDS: z.coerce.number().min(0).max(3600).default(5),
    WORKER_RETRY_MAX_SECONDS: z.coerce.number().min(0).max(86400).default(300),
    EXPORT_CHUNK_TARGET_ROWS: z.coerce.number().int().min(100).max(10_000_000).default(100_000),
    EXPORT_CHUNK_MAX_COUNT: z.coerce.number().int().min(1).max(10_000).default(4_000),
    RECONCILE_GRACE_SECONDS: z.coerce.number().int().min(10).max(86_400).default(120),
    RECONCILE_MAX_REDRIVES: z.coerce.number().int().min(0).max(100).default(3),
  })
  .transform((s, ctx) => {
    // A report waiting for its retry is Pending and unwritten: were the grace period shorter than the
    // wait, the watchdog would take it for stranded, send it again and count that towards its bound.
    const longestRetrySeconds =
      longestRetryDelayMs(s.WORKER_MAX_ATTEMPTS, {
        baseMs: s.WORKER_RETRY_BASE_SECONDS * 1000,
        maxMs: s.WORKER_RETRY_MAX_SECONDS * 1000,
      }) / 1000;
    if (s.RECONCILE_GRACE_SECONDS <= longestRetrySeconds) {
      ctx.addIssue({
        code: 'custom',
        path: ['RECONCILE_GRACE_SECONDS'],
        message:
          `must be longer than the longest retry delay (${longestRetrySeconds} s with WORKER_MAX_ATTEMPTS, ` +
          'WORKER_RETRY_BASE_SECONDS and WORKER_RETRY_MAX_SECONDS as set): a report waiting for its retry ' +
          'would be taken for stranded and sent again',
      });
    }
    return {
      /** Seconds a claim (lease) lasts without a heartbeat; the watchdog re-queues reports whose lease expired. */
      leaseSeconds: s.WORKER_LEASE_SECONDS,
      /** Processing attempts (claims) before a report is marked Failed. */
      maxAttempts: s.WORKER_MAX_ATTEMPTS,
      /** First retry delay after a transient failure; doubles each attempt, with jitter. */
      retryBaseSeconds: s.WORKER_RETRY_BASE_SECONDS,
      /** Longest retry delay. */
      retryMaxSeconds: s.WORKER_RETRY_MAX_SECONDS,
      /** Rows a chunk of a chunked export aims at (see the report types' chunk plans). */
      chunkTargetRows: s.EXPORT_CHUNK_TARGET_ROWS,
      /** Most chunks one export is split into; a larger export gets larger chunks. */
      chunkMaxCount: s.EXPORT_CHUNK_MAX_COUNT,
      /**
       * Seconds without a write after which the watchdog sends stalled work again (a Pending report that
       * could start, a chunked export whose chunks stopped), and how often before the report is Failed.
       */
      reconcileGraceSeconds: s.RECONCILE_GRACE_SECONDS,
      maxRedrives: s.RECONCILE_MAX_REDRIVES,
    };
  });

/** What one user or tenant may hold at once (fairness between the users of one service). */
export const limits = z
  .object({
    USER_MAX_ACTIVE_REPORTS: z.coerce.number().int().min(1).max(10000).default(20),
    TENANT_MAX_ACTIVE_EXPORTS: z.coerce.number().int().min(0).max(10000).default(4),
    TENANT_CHUNK_WINDOW: z.coerce.number().int().min(0).max(10000).default(4),
    TENANT_DEFER_SECONDS: z.coerce.number().min(0.1).max(300).default(2),
  })
  .transform((s) => ({
    /** Active (Pending/Processing) reports one user may have; a request beyond it is answered 429. */
    userMaxActiveReports: s.USER_MAX_ACTIVE_REPORTS,
    /**
     * Places: exports one tenant may have Processing at once; a request over it is put back on the queue
     * for later, and sent again at once when one of the tenant's exports ends (0: no cap).
     */
    tenantMaxActiveExports: s.TENANT_MAX_ACTIVE_EXPORTS,
    /**
     * Chunk messages one tenant may have out at once, shared by its chunked exports under way (each gets
     * its share, at least one); each finished chunk sends the next (0: every chunk sent when planned).
     */
    tenantChunkWindow: s.TENANT_CHUNK_WINDOW,
    /** Seconds an over-cap request waits before it is delivered again (the first time; later waits grow). */
    tenantDeferSeconds: s.TENANT_DEFER_SECONDS,
  }));
