// JSON and NDJSON format writers: one object per row, keyed by column key in column order. JSON is one
// array (`[`, the objects separated by commas, `]`), valid at any size although it is never held whole;
// NDJSON is one object per line.
import { Transform, type TransformCallback } from 'node:stream';
import {
  BYTE_HIGH_WATER_MARK,
  ROW_HIGH_WATER_MARK,
  joinedParts,
  type Column,
  type FilePart,
  type FormatWriter,
  type Row,
} from '../domain/format';

/** Output is pushed in pieces of about this size rather than one small Buffer per row. */
const PUSH_BYTES = 16 * 1024;

/**
 * A row value as JSON: strings, finite numbers, booleans and null as themselves; undefined as null (every
 * object has every column); dates as ISO 8601 strings (invalid dates null); bigints as numbers when a
 * double holds them exactly, else as strings; NaN and the infinities null (JSON has no such numbers);
 * other objects as JSON.
 */
function jsonValue(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  return value === undefined ? null : value;
}

/** The row as an object of exactly the columns, in column order. */
function rowObject(columns: readonly Column[], row: Row): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const column of columns) {
    // Dates turn into strings through their toJSON; an invalid one gives null.
    object[column.key] = row[column.key] ?? null;
  }
  return object;
}

interface Framing {
  /** Before the first row (always written, so zero rows still give a complete file). */
  open: string;
  /** Between `open` and the first row. */
  beforeFirst: string;
  /** Between two rows. */
  separator: string;
  /** After every row: NDJSON's line end. */
  after: string;
  /** After the last row. */
  close: string;
  /** Instead of `close` when there was no row. */
  closeEmpty: string;
}

function jsonStream(columns: readonly Column[], framing: Framing): Transform {
  let pending = framing.open;
  let first = true;
  return new Transform({
    writableObjectMode: true,
    writableHighWaterMark: ROW_HIGH_WATER_MARK,
    readableHighWaterMark: BYTE_HIGH_WATER_MARK,
    transform(row: Row, _encoding, callback: TransformCallback) {
      let text: string;
      try {
        text = JSON.stringify(rowObject(columns, row), jsonValue);
      } catch (error) {
        callback(error as Error);
        return;
      }
      pending += (first ? framing.beforeFirst : framing.separator) + text + framing.after;
      first = false;
      if (pending.length >= PUSH_BYTES) {
        const out = pending;
        pending = '';
        callback(null, Buffer.from(out, 'utf8'));
      } else {
        callback();
      }
    },
    flush(callback: TransformCallback) {
      pending += first ? framing.closeEmpty : framing.close;
      callback(null, pending === '' ? undefined : Buffer.from(pending, 'utf8'));
    },
  });
}

const JSON_FRAMING: Framing = {
  open: '[',
  beforeFirst: '\n',
  separator: ',\n',
  after: '',
  close: '\n]\n',
  closeEmpty: ']\n',
};

/** One chunk of a JSON array: its objects with the separators between them, nothing around them. */
const JSON_CHUNK_FRAMING: Framing = {
  open: '',
  beforeFirst: '',
  separator: JSON_FRAMING.separator,
  after: '',
  close: '',
  closeEmpty: '',
};

/** The JSON array from its chunks: `[` and the first row's lead-in, the separator between chunks, `]`. */
function jsonParts(chunkRows: readonly number[]): FilePart[] {
  const chunks = joinedParts(chunkRows);
  if (chunks.length === 0) return [{ literal: Buffer.from(JSON_FRAMING.open + JSON_FRAMING.closeEmpty) }];
  const parts: FilePart[] = [{ literal: Buffer.from(JSON_FRAMING.open + JSON_FRAMING.beforeFirst) }];
  chunks.forEach((part, i) => {
    if (i > 0) parts.push({ literal: Buffer.from(JSON_FRAMING.separator) });
    parts.push(part);
  });
  parts.push({ literal: Buffer.from(JSON_FRAMING.close) });
  return parts;
}

/** JSON: one array of row objects, one object per line (`[]` for zero rows), ending in a newline. */
export const json: FormatWriter = {
  name: 'json',
  contentType: 'application/json',
  fileExtension: 'json',
  createStream: ({ columns }) => jsonStream(columns, JSON_FRAMING),
  chunked: {
    createChunkStream: ({ columns }) => jsonStream(columns, JSON_CHUNK_FRAMING),
    assemble: (chunkRows) => jsonParts(chunkRows),
  },
};

/** NDJSON (JSON Lines): one row object per line, each line ending in `\n`; zero rows is an empty file. */
const NDJSON_FRAMING: Framing = {
  open: '',
  beforeFirst: '',
  separator: '',
  after: '\n',
  close: '',
  closeEmpty: '',
};

export const ndjson: FormatWriter = {
  name: 'ndjson',
  contentType: 'application/x-ndjson',
  fileExtension: 'ndjson',
  createStream: ({ columns }) => jsonStream(columns, NDJSON_FRAMING),
  // Lines stand alone: the chunks are simply joined.
  chunked: {
    createChunkStream: ({ columns }) => jsonStream(columns, NDJSON_FRAMING),
    assemble: (chunkRows) => joinedParts(chunkRows),
  },
};
