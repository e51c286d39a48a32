import type { Services } from '../composition';
import { findStaticDir, serveSite } from '../web/site';
import { guardHttp } from '../http/boundary';
import { defineHttp } from './definition';

/**
 * GET /api/web (anonymous): the web page, its assets under /api/web/assets/ and /api/web/config.json.
 * The page holds no data; every API call it makes carries the user's bearer token.
 */
export const makeWebPage = ({ config }: Pick<Services, 'config'>) =>
  defineHttp('webPage', {
    route: 'web/{*path}',
    methods: ['GET'],
    authLevel: 'anonymous',
    handler: guardHttp((request) => {
      return serveSite(request.params.path ?? '', {
        web: config.web,
        devTokens: config.auth.devJwksPath !== undefined,
        runningInAzure: config.runningInAzure,
        staticDir: findStaticDir(),
      });
    }),
  });
