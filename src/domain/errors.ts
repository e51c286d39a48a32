// The app's error classes, all in one module (the Functions config's ConfigError stays in src/config.ts,
// and the browser page's ApiError in src/web/client). Plain `Error` subclasses that know no SDK, so every
// layer may import them. Which of them are worth a retry is decided in one place:
// `isTransient` in src/services/failures.ts.
import type { ReportStatus } from './report';

// ---------------------------------------------------------------------------------------------------------
// Dependencies. Adapters translate the SDKs' errors into these (see src/adapters/sdk-errors.ts); services
// and the HTTP boundary look only at these classes, never at an SDK's error codes. Their messages are
// fixed texts, safe to show a user: the SDK's own error (with its request ids and service messages) stays
// in `cause`, for the logs.

/** The services the app depends on, as a user may read them in a message. */
export type Dependency = 'database' | 'message broker' | 'storage';

/**
 * A dependency was throttled, unavailable or unreachable for a moment (a 429, 408, 5xx, a timeout, a
 * dropped or refused connection): the same call may well succeed later. Thrown by the adapters; a
 * transient failure for the worker, a 503 at the HTTP boundary.
 */
export class DependencyUnavailableError extends Error {
  constructor(
    readonly dependency: Dependency,
    options?: ErrorOptions & { retryAfterSeconds?: number; message?: string },
  ) {
    super(options?.message ?? `The ${dependency} is unavailable at the moment.`, options);
    this.name = 'DependencyUnavailableError';
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }

  /** How long the dependency asked callers to wait, when it said so. */
  readonly retryAfterSeconds: number | undefined;
}

/**
 * A dependency refused an operation for a reason a retry does not change (its own 4xx answer). Thrown
 * by the adapters.
 */
export class DependencyError extends Error {
  constructor(
    readonly dependency: Dependency,
    readonly status: number | undefined,
    options?: ErrorOptions,
  ) {
    super(
      `The ${dependency} refused the operation${status === undefined ? '' : ` (status ${status})`}.`,
      options,
    );
    this.name = 'DependencyError';
  }
}

/**
 * The message broker could not be reached or refuses every message alike (connection refused or
 * dropped, namespace busy or timing out, queue missing or not authorised): sending the messages one at
 * a time would fail the same way. Thrown by the Service Bus publisher; the outbox relay then stops its
 * batch. `message` is for the operator (it is stored on the outbox document); `cause` is the original
 * error.
 */
export class BrokerUnavailableError extends DependencyUnavailableError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('message broker', { ...options, message });
    this.name = 'BrokerUnavailableError';
  }
}

// ---------------------------------------------------------------------------------------------------------
// The report model and the stores.

/**
 * The report lifecycle has no move from `from` to `to` (nothing leaves a terminal state). Thrown by
 * `transition` and `claimedUpdate` in ./report.ts, before the write reaches the store.
 */
export class InvalidTransitionError extends Error {
  constructor(
    readonly from: ReportStatus,
    readonly to: ReportStatus,
  ) {
    super(`a report cannot go from ${from} to ${to}`);
    this.name = 'InvalidTransitionError';
  }
}

/**
 * A list's continuation token was not issued for this query (or not by this store). Thrown by
 * `ReportStore.list`; the list route answers 400.
 */
export class InvalidContinuationTokenError extends Error {
  constructor() {
    super('the continuation token is not valid for this query');
    this.name = 'InvalidContinuationTokenError';
  }
}

/**
 * A conditional write kept losing to concurrent ones. Thrown by `retryOnConflict`
 * (src/services/retry-on-conflict.ts) after its last try; a transient failure.
 */
export class TooManyConflictsError extends Error {
  constructor(what: string) {
    super(`${what}: too many concurrent changes`);
    this.name = 'TooManyConflictsError';
  }
}

/**
 * A report type's own failure (bad data, impossible request): the report fails with this code and
 * message. Thrown by a report type's row source or chunk planner (./report-types/).
 */
export class ReportTypeError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ReportTypeError';
  }
}

// ---------------------------------------------------------------------------------------------------------
// The export worker (src/services/export/).

/**
 * A message the worker can never process: thrown by `parseWorkItem` so that the broker dead-letters it
 * after its retries.
 */
export class PoisonMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PoisonMessageError';
  }
}

/**
 * Why a running export was stopped from outside: the report was cancelled (or ended otherwise). The
 * abort reason `runClaimed` gives its work when a heartbeat says stop.
 */
export class CancelRequested extends Error {
  constructor() {
    super('the report was cancelled');
    this.name = 'CancelRequested';
  }
}

/**
 * Why a running export was stopped from outside: its claim passed to another worker. The abort reason
 * `runClaimed` gives its work when a heartbeat finds the lease taken.
 */
export class LeaseLost extends Error {
  constructor() {
    super('the claim passed to someone else');
    this.name = 'LeaseLost';
  }
}

// ---------------------------------------------------------------------------------------------------------
// Authentication (src/auth/verifier.ts throws these; src/http/authenticate.ts answers them).

/**
 * The request carried no acceptable bearer token (answer 401). `reason` is a short fixed description,
 * never an echo of the token or of a claim value, restricted to the characters RFC 6750 allows in
 * `error_description`.
 */
export class AuthError extends Error {
  readonly reason: string;
  /** True when the request had no Authorization header at all (RFC 6750: then send no error code). */
  readonly missingCredentials: boolean;

  /** What the caller can do about it, as a sentence, when there is something to say. */
  readonly hint: string | undefined;

  constructor(reason: string, options?: ErrorOptions & { missingCredentials?: boolean; hint?: string }) {
    const safeReason = reason.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, '?');
    super(`Unauthorized: ${safeReason}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AuthError';
    this.reason = safeReason;
    this.missingCredentials = options?.missingCredentials ?? false;
    this.hint = options?.hint;
  }

  /** The reason as a sentence, followed by the hint: what a problem's `detail` says. */
  get detail(): string {
    const sentence = `${this.reason.charAt(0).toUpperCase()}${this.reason.slice(1)}.`;
    return this.hint === undefined ? sentence : `${sentence} ${this.hint}`;
  }

  /** The `WWW-Authenticate` header value to send with the 401. */
  get wwwAuthenticate(): string {
    if (this.missingCredentials) return 'Bearer';
    return `Bearer error="invalid_token", error_description="${this.reason}"`;
  }
}

/**
 * The token is valid but grants neither the required scope (delegated, `scp`) nor an app role of the same
 * name (application permission, `roles`): answer 403 with an `insufficient_scope` challenge.
 */
export class InsufficientScopeError extends Error {
  constructor(readonly requiredScope: string) {
    super(`Forbidden: the token does not grant ${requiredScope}`);
    this.name = 'InsufficientScopeError';
  }
}
