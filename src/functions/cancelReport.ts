import type { Services } from '../services';
import { defineAuthenticatedHttp } from './authenticated-http';
import { conflict, notFound } from '../http/problem';
import { reportResponse } from '../http/reports';

/** DELETE /api/reports/{reportId}: Pending -> Cancelled at once; Processing -> cancelRequested. */
export const makeCancelReport = ({ reports, verifyToken }: Pick<Services, 'reports' | 'verifyToken'>) =>
  defineAuthenticatedHttp('cancelReport', {
    route: 'reports/{reportId}',
    methods: ['DELETE'],
    verifyToken,
    handler: async (request, principal) => {
      const result = await reports.cancel(principal, request.params.reportId ?? '');
      switch (result.kind) {
        case 'not-found':
          return notFound('No such report.');
        case 'terminal':
          return conflict(
            result.status === 'Completed'
              ? 'The report is already Completed: the export finished before the cancel could stop it, and its file can be downloaded.'
              : `The report is already ${result.status}.`,
            { reportStatus: result.status },
          );
        default:
          return reportResponse(202, result.report);
      }
    },
  });
