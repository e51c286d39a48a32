import type { Services } from '../services';
import { defineAuthenticatedHttp } from './authenticated-http';
import { notFound } from '../http/problem';
import { reportResponse } from '../http/reports';

/** GET /api/reports/{reportId}: status and progress; another tenant's or user's report is a 404. */
export const makeGetReport = ({ reports, verifyToken }: Pick<Services, 'reports' | 'verifyToken'>) =>
  defineAuthenticatedHttp('getReport', {
    route: 'reports/{reportId}',
    methods: ['GET'],
    verifyToken,
    handler: async (request, principal) => {
      const found = await reports.view(principal, request.params.reportId ?? '');
      return found ? reportResponse(200, found.report, { link: found.link }) : notFound('No such report.');
    },
  });
