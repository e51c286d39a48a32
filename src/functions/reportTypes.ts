import type { Services } from '../services';
import { describeReportTypes } from '../domain/report-types';
import { defineAuthenticatedHttp } from './authenticated-http';

/** GET /api/report-types: each type with its parameter JSON Schema and formats. */
export function makeReportTypes({ reportTypes, verifyToken }: Pick<Services, 'reportTypes' | 'verifyToken'>) {
  const items = describeReportTypes(reportTypes);
  return defineAuthenticatedHttp('reportTypes', {
    route: 'report-types',
    methods: ['GET'],
    verifyToken,
    handler: () => Promise.resolve({ status: 200, jsonBody: { items } }),
  });
}
