import { describeReportTypes } from '../domain/report-types';
import { defineAuthenticatedHttp } from './authenticated-http';

/** GET /api/report-types: each type with its parameter JSON Schema and formats. */
export const reportTypes = defineAuthenticatedHttp('reportTypes', {
  route: 'report-types',
  methods: ['GET'],
  handler: () => Promise.resolve({ status: 200, jsonBody: { items: describeReportTypes() } }),
});
