import type { Services } from '../services';
import { conflict, notFound } from '../http/problem';
import { defineAuthenticatedHttp } from './authenticated-http';

/**
 * GET /api/reports/{reportId}/download: 303 to a fresh read-only SAS link once Completed.
 * HEAD answers as GET does, without a body (see defineAuthenticatedHttp).
 */
export const makeDownloadReport = ({ reports, verifyToken }: Pick<Services, 'reports' | 'verifyToken'>) =>
  defineAuthenticatedHttp('downloadReport', {
    route: 'reports/{reportId}/download',
    methods: ['GET', 'HEAD'],
    verifyToken,
    handler: async (request, principal) => {
      const result = await reports.download(principal, request.params.reportId ?? '');
      switch (result.kind) {
        case 'not-found':
          return notFound('No such report.');
        case 'not-ready':
          return conflict(`The report is ${result.status}; only a Completed report can be downloaded.`, {
            reportStatus: result.status,
          });
        case 'ok':
          return { status: 303, headers: { Location: result.link.url, 'Cache-Control': 'no-store' } };
      }
    },
  });
