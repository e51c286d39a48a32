// The report type registry. Adding a type: one module next to this file plus one line in
// `builtInReportTypes`. The composition root hands a registry to everything that looks types up.
import { z } from 'zod';
import { compressionProblem, exportOptionsShape, GZIP_FORMATS, type ExportOptions } from '../export-options';
import type { Column } from '../format';
import { popularity } from './popularity';
import { ratings } from './ratings';
import type { ReportTypeDefinition } from './types';

export type { ReportTypeDefinition } from './types';

/** A fixed set of report types, looked up by name. */
export interface ReportTypeRegistry {
  /** Every type, in registry order. */
  readonly all: readonly ReportTypeDefinition[];
  /** The type called `name`, or undefined (also for names like `constructor`). */
  get(name: string): ReportTypeDefinition | undefined;
}

const TYPE_NAME = /^[a-z][a-z0-9-]{0,49}$/;

/** A registry of `types`; names are URL-safe and unique (it throws otherwise). */
export function createReportTypeRegistry(types: readonly ReportTypeDefinition[]): ReportTypeRegistry {
  const byName = new Map<string, ReportTypeDefinition>();
  for (const type of types) {
    if (!TYPE_NAME.test(type.name)) throw new Error(`invalid report type name '${type.name}'`);
    if (byName.has(type.name)) throw new Error(`report type '${type.name}' is registered twice`);
    byName.set(type.name, type);
  }
  const all = [...types];
  return { all, get: (name) => byName.get(name) };
}

/** The report types this app ships. */
export const builtInReportTypes: ReportTypeRegistry = createReportTypeRegistry([popularity, ratings]);

/** `value` lower-cased when it is a string: for values the API matches without regard to case. */
const lowerCased = (value: unknown): unknown => (typeof value === 'string' ? value.toLowerCase() : value);

const requestSchemas = new WeakMap<ReportTypeDefinition, z.ZodType<CreateRequest>>();

/** A parsed `POST /api/reports/{reportType}` body. */
export interface CreateRequest extends ExportOptions {
  format: string;
  parameters: Record<string, unknown>;
}

/**
 * The body of `POST /api/reports/{type.name}`: `format` (one of the type's formats, any case, default
 * `csv`), the export options (`compression`, `columns`, `timeZone`, see ../export-options.ts) and the
 * type's `parameters` (default `{}`, then checked like any other), validated together so every problem
 * of a request is reported at once. The OpenAPI document is generated from it.
 */
export function createRequestSchema(type: ReportTypeDefinition): z.ZodType<CreateRequest> {
  let schema = requestSchemas.get(type);
  if (!schema) {
    const [first, ...rest] = type.formats;
    if (first === undefined) throw new Error(`report type '${type.name}' has no formats`);
    schema = z
      .strictObject({
        format: z
          .preprocess(lowerCased, z.enum([first, ...rest]))
          .default(type.formats.includes('csv') ? 'csv' : first)
          .describe('The file format, in any case.'),
        ...exportOptionsShape(type.columns),
        parameters: type.parameters.prefault({}),
      })
      .superRefine((request, ctx) => {
        const problem = compressionProblem(request.format, request.compression);
        if (problem) ctx.addIssue({ code: 'custom', path: ['compression'], message: problem });
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
  /** The columns, in their default order: what `columns` may choose from. */
  columns: readonly Column[];
  /** The compressions a request may ask for, with the formats each applies to. */
  compressions: { gzip: readonly string[] };
  /** JSON Schema (draft 2020-12) of the request's `parameters`, as a client sends them. */
  parameters: Record<string, unknown>;
}

/** The public description of every report type; parameter schemas describe input, so defaulted fields are optional. */
export function describeReportTypes(registry: ReportTypeRegistry): ReportTypeDescription[] {
  return registry.all.map((type) => ({
    name: type.name,
    title: type.title,
    description: type.description,
    formats: type.formats,
    columns: type.columns.map((column) => ({ ...column })),
    compressions: { gzip: GZIP_FORMATS.filter((format) => type.formats.includes(format)) },
    parameters: z.toJSONSchema(type.parameters, { target: 'draft-2020-12', io: 'input' }),
  }));
}
