import { z } from 'zod';
import { getServices } from '../composition';
import { REPORT_STATUSES, toResource } from '../domain/report';
import { getReportType } from '../domain/report-types';
import { validate } from '../domain/validation';
import { defineAuthenticatedHttp } from './authenticated-http';
import { badRequest } from '../http/problem';
import { InvalidContinuationTokenError } from '../services/ports';

/** The query of `GET /api/reports` (the OpenAPI document describes it from this schema). */
export const listQuerySchema = z.strictObject({
  status: z.enum(REPORT_STATUSES).optional().describe('Only reports in this status.'),
  reportType: z
    .string()
    .refine((name) => getReportType(name) !== undefined, 'is not a known report type')
    .optional()
    .describe('Only reports of this type.'),
  pageSize: z.coerce.number().int().min(1).max(100).default(20).describe('Reports per page.'),
  continuationToken: z
    .string()
    .min(1)
    .max(8_000)
    .optional()
    .describe('The `continuationToken` of the previous page.'),
});

/** GET /api/reports: the caller's reports (an admin's: the tenant's), newest first, paged. */
export const listReports = defineAuthenticatedHttp('listReports', {
  route: 'reports',
  methods: ['GET'],
  handler: async (request, principal) => {
    const query = validate(listQuerySchema, Object.fromEntries(request.query));
    if (!query.ok) return badRequest('The query is invalid.', query.errors);
    const { pageSize, continuationToken, ...filter } = query.data;
    try {
      const page = await getServices().reports.list(principal, filter, pageSize, continuationToken);
      return {
        status: 200,
        headers: { 'Cache-Control': 'no-store' },
        jsonBody: { items: page.items.map((r) => toResource(r)), continuationToken: page.continuationToken },
      };
    } catch (error) {
      if (error instanceof InvalidContinuationTokenError) {
        return badRequest(error.message, { continuationToken: [error.message] });
      }
      throw error;
    }
  },
});
