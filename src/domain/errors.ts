// The app's own errors for failures of the services it depends on. Adapters translate the SDKs' errors
// into these (see src/adapters/sdk-errors.ts); services and the HTTP boundary look only at these classes,
// never at an SDK's error codes. Their messages are fixed texts, safe to show a user: the SDK's own
// error (with its request ids and service messages) stays in `cause`, for the logs.

/** The services the app depends on, as a user may read them in a message. */
export type Dependency = 'database' | 'message broker' | 'storage';

/**
 * A dependency was throttled, unavailable or unreachable for a moment (a 429, 408, 5xx, a timeout, a
 * dropped or refused connection): the same call may well succeed later.
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

/** A dependency refused an operation for a reason a retry does not change (its own 4xx answer). */
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
 * a time would fail the same way. `message` is for the operator (it is stored on the outbox document);
 * `cause` is the original error.
 */
export class BrokerUnavailableError extends DependencyUnavailableError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('message broker', { ...options, message });
    this.name = 'BrokerUnavailableError';
  }
}
