// Timestamps in an IANA time zone: the name check the API validates with, and an instant as the wall
// clock of a zone (for ISO 8601 text with the zone's offset, and for the local times of XLSX and PDF).
// Uses the runtime's time zone data (Intl); knows nothing of formats or Azure.

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The runtime's formatter for `timeZone` (throws a RangeError for a name it does not know). */
function formatterOf(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Whether `name` is an IANA time zone name the runtime knows (`Europe/Berlin`, `UTC`), in any case. */
export function isTimeZone(name: string): boolean {
  // A name, never an offset like `+02:00` (which newer runtimes take as a zone too).
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(name)) return false;
  try {
    formatterOf(name);
    return true;
  } catch {
    return false;
  }
}

/**
 * The zone's name as stored and shown: the runtime's spelling when it differs only in case
 * (`europe/berlin` -> `Europe/Berlin`), else the name as given, so a current name the runtime treats as
 * a link (`Asia/Kolkata`, which ICU resolves to `Asia/Calcutta`) is kept. `name` must be a time zone.
 */
export function canonicalTimeZone(name: string): string {
  const resolved = formatterOf(name).resolvedOptions().timeZone;
  return resolved.toLowerCase() === name.toLowerCase() ? resolved : name;
}

/** Whether `timeZone` writes timestamps as UTC does (then nothing needs to change). */
export const isUtc = (timeZone: string): boolean =>
  formatterOf(timeZone).resolvedOptions().timeZone === 'UTC';

/** The zone's offset from UTC at `ms`, in milliseconds (whole seconds). */
function offsetAt(formatter: Intl.DateTimeFormat, ms: number): number {
  const parts: Record<string, string> = {};
  for (const part of formatter.formatToParts(new Date(ms))) parts[part.type] = part.value;
  const year = Number(parts.year);
  const wall = Date.UTC(
    parts.era === 'BC' ? 1 - year : year,
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
  // Date.UTC maps years 0-99 to 1900-1999; the wall clock is put right for those.
  const fixed = year >= 0 && year < 100 && parts.era !== 'BC' ? new Date(wall).setUTCFullYear(year) : wall;
  return fixed - (ms - (((ms % 1000) + 1000) % 1000));
}

/** A quarter of an hour: the finest step of any zone's offset changes since standard time began. */
const BUCKET_MS = 15 * 60 * 1000;

/**
 * The offset of one zone at any instant, remembered per quarter hour: rows come in time order, so one
 * remembered quarter answers most of them. A quarter is remembered only when its offset is the same at
 * both ends, so a change of offset inside it (old local mean times) is still exact.
 */
export class ZoneOffsets {
  readonly #formatter: Intl.DateTimeFormat;
  #bucket = Number.NaN;
  #offset = 0;

  constructor(timeZone: string) {
    this.#formatter = formatterOf(timeZone);
  }

  /** The offset from UTC at `ms`, in milliseconds. */
  at(ms: number): number {
    const bucket = Math.floor(ms / BUCKET_MS);
    if (bucket === this.#bucket) return this.#offset;
    const start = offsetAt(this.#formatter, bucket * BUCKET_MS);
    const end = offsetAt(this.#formatter, (bucket + 1) * BUCKET_MS - 1);
    if (start === end) {
      this.#bucket = bucket;
      this.#offset = start;
      return start;
    }
    return offsetAt(this.#formatter, ms);
  }

  /** The instant as ISO 8601 with the zone's offset, e.g. `2024-03-01T13:34:56.000+01:00`. */
  iso(instant: Date): string {
    const ms = instant.getTime();
    const offset = this.at(ms);
    const local = new Date(ms + offset).toISOString();
    return `${local.slice(0, -1)}${offsetText(offset)}`;
  }

  /** A Date whose UTC fields are the zone's wall clock at `instant` (for formats without zones). */
  wallClock(instant: Date): Date {
    const ms = instant.getTime();
    return new Date(ms + this.at(ms));
  }
}

/** `+01:00`, `-03:30`, `+00:00` (an offset with seconds, old local mean time, as `+00:19:32`). */
function offsetText(offsetMs: number): string {
  const sign = offsetMs < 0 ? '-' : '+';
  const total = Math.abs(offsetMs) / 1000;
  const pad = (n: number) => String(Math.floor(n)).padStart(2, '0');
  const seconds = total % 60;
  return `${sign}${pad(total / 3600)}:${pad((total % 3600) / 60)}${seconds === 0 ? '' : `:${pad(seconds)}`}`;
}
