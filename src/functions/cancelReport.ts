import { getServices } from '../composition';
import { defineAuthenticatedHttp } from './authenticated-http';
import { conflict, notFound } from '../http/problem';
import { reportResponse } from '../http/reports';

/** DELETE /api/reports/{reportId}: Pending -> Cancelled at once; Processing -> cancelRequested. */
export const cancelReport = defineAuthenticatedHttp('cancelReport', {
  route: 'reports/{reportId}',
  methods: ['DELETE'],
  handler: async (request, principal) => {
    const result = await getServices().reports.cancel(principal, request.params.reportId ?? '');
    switch (result.kind) {
      case 'not-found':
        return notFound('No such report.');
      case 'terminal':
        return conflict(`The report is already ${result.status}.`, { reportStatus: result.status });
      default:
        return reportResponse(202, result.report);
    }
  },
});
