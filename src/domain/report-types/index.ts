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
