// The ids of the messages of the report-requests queue, and so of their outbox documents. Service Bus
// duplicate detection drops a message whose id it saw within its window, so each id says exactly which
// piece of work it stands for: a re-send of the same work has the same id, new work has a new one.
// Knows nothing of Azure SDKs.

/** A chunk of a plan: `p{planId}-c{index}`. */
const chunkPart = (planId: number, index: number): string => `p${planId}-c${index}`;

export const messageIds = {
  /** The report's request, written with the report. */
  request: (reportId: string): string => `outbox-${reportId}`,
  /** The report sent again by the watchdog after its claim of attempt `attempt` lapsed. */
  requeue: (reportId: string, attempt: number): string => `outbox-${reportId}-requeue-${attempt}`,
  /** The report sent again after attempt `attempt` met a passing fault. */
  retry: (reportId: string, attempt: number): string => `retry-${reportId}-${attempt}`,
  /** The report's request put back for later by fairness (`unique` makes each deferral its own). */
  deferral: (reportId: string, unique: string): string => `defer-${reportId}-${unique}`,
  /**
   * The report's request sent at once: into the place that the end of export `cause` freed, or ahead of
   * a later request of its tenant (`cause` then unique).
   */
  resume: (reportId: string, cause: string): string => `resume-${reportId}-${cause}`,
  /** Chunk `index` of plan `planId`, sent when the plan fans out or as its window moves. */
  chunk: (reportId: string, planId: number, index: number): string =>
    `outbox-${reportId}-${chunkPart(planId, index)}`,
  /** The report's work sent again by the watchdog's `redrive`-th pass that found it stalled. */
  redrive: (reportId: string, redrive: number): string => `redrive-${reportId}-${redrive}`,
  /** A waiting chunk sent again by the watchdog's `redrive`-th pass that found its export stalled. */
  chunkRedrive: (reportId: string, planId: number, index: number, redrive: number): string =>
    `redrive-${reportId}-${chunkPart(planId, index)}-${redrive}`,
  /** The chunk sent again by the watchdog after its claim of attempt `attempt` lapsed. */
  chunkRequeue: (reportId: string, planId: number, index: number, attempt: number): string =>
    `outbox-${reportId}-${chunkPart(planId, index)}-requeue-${attempt}`,
  /**
   * A delivery put back on its queue while a dependency was down (any queue's message; `unique` makes
   * each its own, so that duplicate detection never drops one).
   */
  putBack: (unique: string): string => `putback-${unique}`,
  /** The chunk sent again after its attempt `attempt` met a passing fault. */
  chunkRetry: (reportId: string, planId: number, index: number, attempt: number): string =>
    `retry-${reportId}-${chunkPart(planId, index)}-${attempt}`,
};
