// Shared by the stand-in CLIs: ports, and stopping by themselves when the process that started them is gone.

export function parsePort(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port '${value}'`);
  return port;
}

export function parsePid(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const pid = Number(value);
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`invalid --parent-pid '${value}'`);
  return pid;
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Calls `stop` on SIGINT/SIGTERM and when `parentPid` (if given) no longer exists, checked every 2 s.
 */
export function stopWhenDone(parentPid: number | undefined, stop: (reason: string) => void): void {
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  if (parentPid !== undefined) {
    setInterval(() => {
      if (!processExists(parentPid)) stop(`parent ${parentPid} exited`);
    }, 2_000).unref();
  }
}
