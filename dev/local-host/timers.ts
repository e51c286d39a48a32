// Timer triggers on their NCRONTAB schedules ("sec min hour day month day-of-week", UTC) or a
// "hh:mm:ss" interval, like the Functions host. One invocation of a function at a time: a tick that
// falls while the previous run is still going is skipped (the host holds a singleton lock the same way).
import type { Timer, TimerFunctionOptions } from '@azure/functions';
import { CronExpressionParser } from 'cron-parser';
import { parseTimeSpanMs } from './host-json';
import { invoke, type HostLog } from './invoke';

export interface TimerFunction {
  name: string;
  options: TimerFunctionOptions;
}

export interface Schedule {
  next(after: Date): Date;
}

export function parseSchedule(expression: string): Schedule {
  if (/^(\d+\.)?\d{1,2}:\d{2}:\d{2}$/.test(expression)) {
    const interval = parseTimeSpanMs(expression);
    if (interval <= 0) throw new Error(`timer schedule '${expression}' must be longer than zero`);
    return { next: (after) => new Date(after.getTime() + interval) };
  }
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 6) {
    throw new Error(`timer schedule '${expression}' must be a 6-field NCRONTAB expression or hh:mm:ss`);
  }
  CronExpressionParser.parse(expression, { tz: 'UTC' }); // throws on a bad expression
  return {
    next: (after) =>
      CronExpressionParser.parse(expression, { currentDate: after, tz: 'UTC' }).next().toDate(),
  };
}

export interface RunningTimer {
  stop(): Promise<void>;
}

export function startTimer(fn: TimerFunction, schedule: Schedule, log: HostLog): RunningTimer {
  let stopped = false;
  let handle: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let last = new Date();

  const fire = (due: Date): void => {
    if (stopped) return;
    const now = new Date();
    // A timer may fire a little before its due time by the wall clock: never schedule the same slot twice.
    const next = schedule.next(new Date(Math.max(now.getTime(), due.getTime())));
    if (!running) {
      const info: Timer = {
        isPastDue: now.getTime() - due.getTime() > 1_000,
        schedule: { adjustForDST: false },
        scheduleStatus: {
          last: last.toISOString(),
          next: next.toISOString(),
          lastUpdated: now.toISOString(),
        },
      };
      last = now;
      running = invoke(
        log,
        fn.name,
        { triggerMetadata: {} },
        (context) => Promise.resolve(fn.options.handler(info, context)),
        { quiet: true },
      )
        .then(
          () => undefined,
          () => undefined, // already logged; the schedule goes on
        )
        .finally(() => {
          running = undefined;
        });
    }
    arm(next);
  };

  const arm = (due: Date): void => {
    if (stopped) return;
    handle = setTimeout(() => fire(due), Math.max(0, due.getTime() - Date.now()));
  };

  if (fn.options.runOnStartup) fire(new Date());
  else arm(schedule.next(new Date()));

  return {
    async stop() {
      stopped = true;
      clearTimeout(handle);
      await running;
    },
  };
}
