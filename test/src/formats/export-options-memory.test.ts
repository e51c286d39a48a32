// Memory stays flat with the export options: 2M generated rows through gzip, Parquet, chosen columns and
// a time zone, each in a child process whose V8 old generation is capped at 96 MB (the process and its
// libraries need about 40 MB of it). The rows are several hundred MB as objects, and a Parquet writer
// that kept its row groups, or a stream that buffered its output, would pass the cap: the child would
// run out of heap and exit non-zero.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROWS = 2_000_000;
const HEAP_MB = 96;
const run = promisify(execFile);

async function exportInChild(args: string[]): Promise<{ rows: number; bytes: number }> {
  const { stdout } = await run(
    process.execPath,
    [`--max-old-space-size=${HEAP_MB}`, '--import', 'tsx', 'test/support/export-options-child.ts', ...args],
    { maxBuffer: 1024 * 1024 },
  );
  return JSON.parse(stdout.trim()) as { rows: number; bytes: number };
}

describe(`export options with the old generation capped at ${HEAP_MB} MB`, () => {
  it(`exports ${ROWS.toLocaleString('en-US')} rows as gzipped CSV and as Parquet, with chosen columns in a time zone`, async () => {
    const options = ['columns=ratedAt,rating,title', 'timeZone=America/New_York'];
    const [gzip, parquet] = await Promise.all([
      exportInChild(['csv', String(ROWS), 'gzip', ...options]),
      exportInChild(['parquet', String(ROWS), ...options]),
    ]);
    expect(gzip.rows).toBe(ROWS);
    expect(parquet.rows).toBe(ROWS);
    // Larger than the capped heap: the file cannot have been held whole.
    expect(gzip.bytes).toBeGreaterThan(HEAP_MB * 1024 * 1024 * 0.2);
    expect(parquet.bytes).toBeGreaterThan(0);
  }, 300_000);
});
