// The export worker's own error classes.

/** A message the worker can never process: thrown so that the broker dead-letters it after its retries. */
export class PoisonMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PoisonMessageError';
  }
}

/** Why a running export was stopped from outside: the report was cancelled (or ended otherwise). */
export class CancelRequested extends Error {
  constructor() {
    super('the report was cancelled');
    this.name = 'CancelRequested';
  }
}

/** Why a running export was stopped from outside: its claim passed to another worker. */
export class LeaseLost extends Error {
  constructor() {
    super('the claim passed to someone else');
    this.name = 'LeaseLost';
  }
}
