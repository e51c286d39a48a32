// The report type registry. Adding a type: one module next to this file plus one line in `reportTypes`.
import { z } from 'zod';
import { popularity } from './popularity';
import { ratings } from './ratings';
import type { ReportTypeDefinition } from './types';

export type { ReportTypeDefinition } from './types';

const registered: ReportTypeDefinition[] = [popularity, ratings];

/** Every report type, in registry order. */
export const reportTypes: readonly ReportTypeDefinition[] = registered;

const byName = new Map(reportTypes.map((type) => [type.name, type]));

/**
 * Adds a report type at run time (e.g. one that lives outside this folder). Names are unique and
 * URL-safe; a type cannot be replaced once registered.
 */
export function registerReportType<P>(type: ReportTypeDefinition<P>): void {
  if (!/^[a-z][a-z0-9-]{0,49}$/.test(type.name)) throw new Error(`invalid report type name '${type.name}'`);
  if (byName.has(type.name)) throw new Error(`report type '${type.name}' is already registered`);
  registered.push(type as unknown as ReportTypeDefinition);
  byName.set(type.name, type as unknown as ReportTypeDefinition);
}

/** The report type called `name`, or undefined (also for names like `constructor`). */
export function getReportType(name: string): ReportTypeDefinition | undefined {
  return byName.get(name);
}

/** `value` lower-cased when it is a string: for values the API matches without regard to case. */
export const lowerCased = (value: unknown): unknown =>
  typeof value === 'string' ? value.toLowerCase() : value;

const requestSchemas = new WeakMap<ReportTypeDefinition, z.ZodType<CreateRequest>>();

/** A parsed `POST /api/reports/{reportType}` body. */
export interface CreateRequest {
  format: string;
  parameters: Record<string, unknown>;
}

/**
 * The body of `POST /api/reports/{type.name}`: `format` (one of the type's formats, any case, default
 * `csv`) and the type's `parameters` (default `{}`, then checked like any other), validated together so
 * every problem of a request is reported at once. The OpenAPI document is generated from it.
 */
export function createRequestSchema(type: ReportTypeDefinition): z.ZodType<CreateRequest> {
  let schema = requestSchemas.get(type);
  if (!schema) {
    const [first, ...rest] = type.formats;
    if (first === undefined) throw new Error(`report type '${type.name}' has no formats`);
    schema = z.strictObject({
      format: z
        .preprocess(lowerCased, z.enum([first, ...rest]))
        .default(type.formats.includes('csv') ? 'csv' : first)
        .describe('The file format, in any case.'),
      parameters: type.parameters.prefault({}),
    });
    requestSchemas.set(type, schema);
  }
  return schema;
}

/** One entry of `GET /api/report-types`. */
export interface ReportTypeDescription {
  name: string;
  title: string;
  description: string;
  formats: readonly string[];
  /** JSON Schema (draft 2020-12) of the request's `parameters`, as a client sends them. */
  parameters: Record<string, unknown>;
}

/** The public description of every report type; parameter schemas describe input, so defaulted fields are optional. */
export function describeReportTypes(): ReportTypeDescription[] {
  return reportTypes.map((type) => ({
    name: type.name,
    title: type.title,
    description: type.description,
    formats: type.formats,
    parameters: z.toJSONSchema(type.parameters, { target: 'draft-2020-12', io: 'input' }),
  }));
}
