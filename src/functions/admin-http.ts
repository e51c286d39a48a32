// HTTP functions for the tenant's admins only (the Reports.Admin role): any other caller gets a 403.
import { ADMIN_ROLE } from '../domain/principal';
import { forbidden } from '../http/problem';
import { defineAuthenticatedHttp, type AuthenticatedHttpOptions } from './authenticated-http';
import type { FunctionDefinition } from './definition';

export function defineAdminHttp(name: string, options: AuthenticatedHttpOptions): FunctionDefinition {
  return defineAuthenticatedHttp(name, {
    ...options,
    handler: async (request, principal, context, correlationId) =>
      principal.isAdmin
        ? options.handler(request, principal, context, correlationId)
        : forbidden(`Webhooks are managed by the ${ADMIN_ROLE} role.`),
  });
}
