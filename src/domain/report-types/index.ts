// The report type registry. Adding a type: one module next to this file plus one line in `reportTypes`.
import { z } from 'zod';
import { popularity } from './popularity';
import { ratings } from './ratings';
import type { ReportTypeDefinition } from './types';

export type { ReportTypeDefinition } from './types';

export const reportTypes: readonly ReportTypeDefinition[] = [popularity, ratings];

const byName = new Map(reportTypes.map((type) => [type.name, type]));

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
