// The shapes of the HTTP API's responses (and of the list query) as zod schemas: the OpenAPI document
// (./openapi.ts) is generated from them and from the schemas the handlers validate requests with. A field
// added to a response is added here, once; the type checks below fail the build when a schema and the
// TypeScript type it describes part.
import { z } from 'zod';
import { REPORT_STATUSES } from '../domain/report';
import type { ReportResource } from './resource';
import type { ReportTypeDescription, ReportTypeRegistry } from '../domain/report-types';
import type { HealthReport } from '../services/health';

const instant = () => z.iso.datetime({ offset: true });

/** The query of `GET /api/reports`, where `reportType` is one of `types`. */
/** `value` as the one of `names` it equals without regard to case, else as it is (and refused). */
const canonical =
  (names: readonly string[]) =>
  (value: unknown): unknown =>
    typeof value === 'string'
      ? (names.find((name) => name.toLowerCase() === value.toLowerCase()) ?? value)
      : value;

export function listQuerySchema(types: ReportTypeRegistry) {
  const formats = [...new Set(types.all.flatMap((type) => type.formats))] as [string, ...string[]];
  return z.strictObject({
    status: z
      .preprocess(canonical(REPORT_STATUSES), z.enum(REPORT_STATUSES))
      .optional()
      .describe('Only reports in this status (any case).'),
    reportType: z
      .preprocess(
        canonical(types.all.map((type) => type.name)),
        z.string().refine((name) => types.get(name) !== undefined, 'is not a known report type'),
      )
      .optional()
      .describe('Only reports of this type (any case).'),
    format: z
      .preprocess(canonical(formats), z.enum(formats))
      .optional()
      .describe('Only reports in this file format (any case).'),
    pageSize: z.coerce.number().int().min(1).max(100).default(20).describe('Reports per page.'),
    continuationToken: z
      .string()
      .min(1)
      .max(8_000)
      .optional()
      .describe('The `continuationToken` of the previous page.'),
  });
}

const progressSchema = z
  .strictObject({
    processedRows: z
      .number()
      .int()
      .min(0)
      .describe('Work done, in the report type’s unit: rows written, or records scanned for aggregates.'),
    totalRows: z.number().int().min(0).nullable().describe('The total of that unit, when it is known.'),
    percent: z.number().min(0).max(100).nullable().describe('0-100, one decimal, when the total is known.'),
    etaSeconds: z
      .number()
      .min(0)
      .nullable()
      .describe('Estimated seconds until done, when the total is known.'),
    chunks: z
      .strictObject({
        done: z.number().int().min(0).describe('Chunks finished.'),
        total: z.number().int().min(1).describe('Chunks in all.'),
      })
      .optional()
      .describe('A chunked export only: its parts run side by side, each counted here when it is done.'),
  })
  .meta({ id: 'Progress' });

export const reportResourceSchema = z
  .strictObject({
    reportId: z.uuid(),
    reportType: z.string(),
    format: z.string(),
    parameters: z.record(z.string(), z.unknown()).describe('The parameters as validated, defaults applied.'),
    status: z.enum(REPORT_STATUSES),
    cancelRequested: z.boolean(),
    progress: progressSchema,
    createdAt: instant(),
    startedAt: instant().nullable(),
    completedAt: instant().nullable(),
    error: z.strictObject({ code: z.string(), message: z.string() }).nullable(),
    rowCount: z.number().int().min(0).nullable().describe('Rows in the file, once Completed.'),
    truncated: z
      .boolean()
      .describe(
        'The file holds fewer rows than the report has: the format caps its rows (PDF) and the source had more.',
      ),
    warnings: z
      .array(z.string())
      .describe(
        'What the user should know about the export, e.g. that it matched no rows; empty when nothing.',
      ),
    compression: z
      .enum(['gzip'])
      .nullable()
      .describe('The file’s compression, when the request asked for one.'),
    columns: z
      .array(z.string())
      .nullable()
      .describe('The columns the request chose, in order; null for all of the type’s.'),
    timeZone: z.string().describe('The IANA time zone the timestamps are written in (default UTC).'),
    sizeBytes: z.number().int().min(0).nullable(),
    fileName: z.string().nullable(),
    downloadUrl: z.url().nullable().describe('A short-lived read-only link to the file, once Completed.'),
    downloadExpiresAt: instant().nullable(),
  })
  .meta({ id: 'Report' });

export const reportPageSchema = z
  .strictObject({
    items: z.array(reportResourceSchema),
    continuationToken: z.string().nullable().describe('Pass it back for the next page; null on the last.'),
  })
  .meta({ id: 'ReportPage' });

export const problemSchema = z
  .looseObject({
    type: z.url().describe('Identifies the kind of problem; clients may switch on it.'),
    title: z.string(),
    status: z.number().int().min(400).max(599),
    detail: z.string(),
    errors: z
      .record(z.string(), z.array(z.string()))
      .optional()
      .describe('Validation problems: field path (e.g. `parameters.toDate`) -> messages, all at once.'),
    existingReportId: z.uuid().optional().describe('409: the active report asking the same.'),
    reportStatus: z.enum(REPORT_STATUSES).optional().describe('409: the report’s status.'),
    limitBytes: z.number().int().optional().describe('413: the largest body accepted.'),
    requiredScope: z.string().optional().describe('403: the scope the token lacks.'),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details.' });

const reportTypeSchema = z
  .strictObject({
    name: z.string(),
    title: z.string(),
    description: z.string(),
    formats: z.array(z.string()),
    columns: z
      .array(
        z.strictObject({
          key: z.string().describe('What `columns` of a request names.'),
          header: z.string(),
          type: z.enum(['string', 'integer', 'number', 'date']).optional(),
        }),
      )
      .describe('The columns in their default order; a request’s `columns` picks and orders them.'),
    compressions: z
      .strictObject({ gzip: z.array(z.string()).describe('The formats `compression: "gzip"` applies to.') })
      .describe('The compressions a request may ask for.'),
    parameters: z
      .record(z.string(), z.unknown())
      .describe('JSON Schema (draft 2020-12) of the request’s `parameters`.'),
  })
  .meta({ id: 'ReportType' });

export const reportTypesSchema = z
  .strictObject({ items: z.array(reportTypeSchema) })
  .meta({ id: 'ReportTypes' });

export const limitsSchema = z
  .strictObject({
    userMaxActiveReports: z.number().int().min(1).describe('Pending/Processing reports one user may have.'),
    activeReports: z.number().int().min(0).describe('The caller’s Pending/Processing reports now.'),
    tenantMaxActiveExports: z
      .number()
      .int()
      .min(0)
      .describe('Exports one tenant may have Processing at once; more wait on the queue (0: no cap).'),
  })
  .meta({ id: 'Limits' });

export const healthSchema = z
  .strictObject({
    status: z.enum(['healthy', 'unhealthy']),
    dependencies: z.record(
      z.string(),
      z.strictObject({
        status: z.enum(['up', 'down']),
        latencyMs: z.number().min(0),
        error: z.string().optional(),
      }),
    ),
  })
  .meta({ id: 'Health' });

export const pageConfigSchema = z
  .strictObject({
    entra: z.strictObject({ clientId: z.string(), authority: z.url(), scope: z.string() }).nullable(),
    tokenSignIn: z.boolean(),
    devTokens: z.boolean(),
  })
  .meta({ id: 'PageConfig' });

// Compile-time checks: each schema's output is exactly the type the handlers answer with.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameShapes: [
  Same<z.output<typeof reportResourceSchema>, ReportResource>,
  Same<z.output<typeof reportTypeSchema>['parameters'], ReportTypeDescription['parameters']>,
  Same<z.output<typeof healthSchema>['status'], HealthReport['status']>,
] = [true, true, true];
void sameShapes;
