import type { Services } from '../services';
import { findStaticDir, serveSite } from '../web/site';
import { guardHttp } from '../http/boundary';
import { defineHttp } from './definition';

/**
 * GET /api/web (anonymous): the web page, its assets under /api/web/assets/ and /api/web/config.json.
 * The page holds no data; every API call it makes carries the user's bearer token.
 */
export function makeWebPage({ config }: Pick<Services, 'config'>) {
  // Looked for until found (the page may be built after the host starts), then kept.
  let staticDir: string | undefined;
  return defineHttp('webPage', {
    route: 'web/{*path}',
    methods: ['GET'],
    authLevel: 'anonymous',
    handler: guardHttp((request) => {
      staticDir ??= findStaticDir();
      return serveSite(request.params.path ?? '', {
        web: config.web,
        devTokens: config.auth.devJwksPath !== undefined,
        runningInAzure: config.runningInAzure,
        staticDir,
      });
    }),
  });
}
