// The Azure services the app reaches, one section each: its connection (identity-based in Azure, a
// connection string for the local stand-ins) and the names of what the app uses in it.
import { z } from 'zod';
import { ConfigError, fromEnvironment, parseEnvironment, resourceName, type Env } from './env';

/**
 * How the app reaches one Azure service, through a *connection* named like the Functions bindings expect:
 * `COSMOS`, `SERVICEBUS` and `BLOB`. A connection is either identity-based (`COSMOS__accountEndpoint`,
 * `SERVICEBUS__fullyQualifiedNamespace`, `BLOB__serviceUri`, optionally `<NAME>__clientId` for a
 * user-assigned managed identity) or, for local stand-ins, a plain connection string in `<NAME>`.
 */
export type Connection = z.output<ReturnType<typeof connection>>;

/** One named connection (as the Functions bindings read it): identity-based first, connection string second. */
function connection(name: string, endpointKey: string) {
  const endpointSetting = `${name}__${endpointKey}`;
  const optional = z.string().trim().optional();
  return z
    .object({ [endpointSetting]: optional, [name]: optional, [`${name}__clientId`]: optional })
    .transform((s, ctx) => {
      const endpoint = s[endpointSetting];
      if (endpoint) {
        // A namespace is a host name (`<ns>.servicebus.windows.net`, as the Functions extension expects);
        // account endpoints and service URIs are URLs.
        const valid =
          endpointKey === 'fullyQualifiedNamespace'
            ? /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/i.test(endpoint)
            : z.url().safeParse(endpoint).success;
        if (!valid) {
          const expected = endpointKey === 'fullyQualifiedNamespace' ? 'a host name' : 'a URL';
          ctx.addIssue({
            code: 'custom',
            path: [endpointSetting],
            message: `must be ${expected} (got "${endpoint}")`,
          });
          return z.NEVER;
        }
        const clientId = s[`${name}__clientId`];
        return { kind: 'identity' as const, endpoint, ...(clientId ? { clientId } : {}) };
      }
      const connectionString = s[name];
      if (connectionString) return { kind: 'connectionString' as const, connectionString };
      ctx.addIssue({
        code: 'custom',
        message: `${endpointSetting} (or ${name} as a connection string): is required`,
      });
      return z.NEVER;
    });
}

/** Reads one named connection on its own; its problems go to `problems`. */
export function readConnection(
  env: Env,
  name: string,
  endpointKey: string,
  problems: string[],
): Connection | undefined {
  try {
    return parseEnvironment(fromEnvironment({ connection: connection(name, endpointKey) }), env).connection;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
    return undefined;
  }
}

export const cosmos = connection('COSMOS', 'accountEndpoint').and(
  z
    .object({
      COSMOS_DATABASE_NAME: resourceName.default('reportexports'),
      COSMOS_REPORTS_CONTAINER: resourceName.default('reports'),
      COSMOS_ALBUMS_CONTAINER: resourceName.default('albums'),
      COSMOS_RATINGS_CONTAINER: resourceName.default('ratings'),
    })
    .transform((s) => ({
      databaseName: s.COSMOS_DATABASE_NAME,
      /** Reports and their outbox documents (partition key `/tenantId`). */
      reportsContainer: s.COSMOS_REPORTS_CONTAINER,
      /** Source data of the sample report types. */
      albumsContainer: s.COSMOS_ALBUMS_CONTAINER,
      ratingsContainer: s.COSMOS_RATINGS_CONTAINER,
    })),
);

export const serviceBus = connection('SERVICEBUS', 'fullyQualifiedNamespace').and(
  z
    .object({
      SERVICEBUS_REPORT_REQUESTS_QUEUE: resourceName.default('report-requests'),
      SERVICEBUS_REPORT_EVENTS_QUEUE: resourceName.default('report-events'),
    })
    .transform((s) => ({
      reportRequestsQueue: s.SERVICEBUS_REPORT_REQUESTS_QUEUE,
      /** Terminal transitions' events, and the scheduled retries of their webhook deliveries. */
      reportEventsQueue: s.SERVICEBUS_REPORT_EVENTS_QUEUE,
    })),
);

export const blob = connection('BLOB', 'serviceUri').and(
  z
    .object({ BLOB_REPORTS_CONTAINER: resourceName.default('reports') })
    .transform((s) => ({ reportsContainer: s.BLOB_REPORTS_CONTAINER })),
);
