// Runs the app's functions on a local host in a process of its own, with the settings in its environment,
// so a test can kill it the hard way (SIGKILL) in the middle of an export. Prints `listening <url>`.
import { startAppHost } from '../../dev/app-host';

const schedules = process.env.HOST_TIMER_SCHEDULES
  ? (JSON.parse(process.env.HOST_TIMER_SCHEDULES) as Record<string, string>)
  : undefined;

startAppHost({
  port: 0,
  changeFeedPollMs: 200,
  ...(schedules ? { timerSchedules: schedules } : {}),
  log: (line) => process.stderr.write(`${line}\n`),
}).then(
  (host) => process.stdout.write(`listening ${host.url}\n`),
  (error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  },
);
// Stop with the test run even if nobody kills this process.
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
