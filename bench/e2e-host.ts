// The app on the local host, as `npm start` runs it (every function, the local timer schedules), in a
// process of its own so the benchmark's client does not share its event loop. App settings come from the
// environment; BENCH_HOST_LOG names the file the host log goes to. Prints `listening <url>` when ready and
// stops on SIGTERM/SIGINT or when its stdin closes (the benchmark is gone).
import { createWriteStream } from 'node:fs';
import { startAppHost, type AppHost } from '../dev/app-host';
import { LOCAL_CHANGE_FEED_POLL_MS, LOCAL_TIMER_SCHEDULES } from '../dev/local-env';

const logFile = process.env.BENCH_HOST_LOG
  ? createWriteStream(process.env.BENCH_HOST_LOG, { flags: 'a' })
  : undefined;
const log = (line: string) => logFile?.write(`${new Date().toISOString()} ${line}\n`);

let host: AppHost | undefined;
let stopping = false;
function stop(): void {
  if (stopping) return;
  stopping = true;
  setTimeout(() => process.exit(0), 5_000).unref();
  void (host?.stop() ?? Promise.resolve()).finally(() => {
    if (logFile) logFile.end(() => process.exit(0));
    else process.exit(0);
  });
}

startAppHost({
  port: 0,
  timerSchedules: LOCAL_TIMER_SCHEDULES,
  changeFeedPollMs: LOCAL_CHANGE_FEED_POLL_MS,
  log,
}).then(
  (started) => {
    host = started;
    process.stdout.write(`listening ${started.url}\n`);
  },
  (error: unknown) => {
    process.stderr.write(
      `local host failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  },
);
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
process.stdin.resume();
process.stdin.once('end', stop);
