// A WorkerLog that keeps its lines, for tests that look at what the export worker logged.
import type { WorkerLog } from '../../src/services/export-worker';

export function recordingLog(): WorkerLog & { lines: string[] } {
  const lines: string[] = [];
  const keep = (...args: unknown[]) => {
    lines.push(args.map(String).join(' '));
  };
  return { lines, log: keep, warn: keep, error: keep };
}
