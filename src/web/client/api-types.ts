// Generated from the OpenAPI document by `npm run api-types` (openapi-typescript); do not edit.
export interface paths {
  '/docs': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The interactive API reference, rendered from this document */
    get: operations['apiReference'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/health': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Health of the app and each dependency */
    get: operations['health'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/limits': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The per-user quota of active reports (and the caller’s use of it) and the per-tenant cap */
    get: operations['getLimits'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/openapi.json': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** This document */
    get: operations['openApiDocument'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/report-types': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The report types, their formats and parameter JSON Schemas */
    get: operations['listReportTypes'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/reports': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Your reports (an admin’s: the tenant’s), newest first */
    get: operations['listReports'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/reports/{reportId}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A report: status, progress and, once Completed, a download link */
    get: operations['getReport'];
    put?: never;
    /**
     * Any other report type name
     * @description Reports are created with the operations named after their type above; any other name in this place is not a report type.
     */
    post: operations['createReportOfUnknownType'];
    /**
     * Cancel a report
     * @description Pending: Cancelled at once. Processing: `cancelRequested` is set and the worker stops.
     */
    delete: operations['cancelReport'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/reports/{reportId}/download': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Download the file (a redirect to a short-lived link) */
    get: operations['downloadReport'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    /** As GET, without a body */
    head: operations['checkReportDownload'];
    patch?: never;
    trace?: never;
  };
  '/reports/popularity': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Start an export: Album popularity
     * @description Albums ranked by the number of ratings they received within the date range, with their average rating. Answers at once; poll the report (its `Location`) until it is finished.
     */
    post: operations['createPopularityReport'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/reports/ratings': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Start an export: All ratings
     * @description Every rating given within the date range, oldest first. Answers at once; poll the report (its `Location`) until it is finished.
     */
    post: operations['createRatingsReport'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/web/config.json': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** How the web page at /api/web signs in */
    get: operations['webPageConfig'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
export type webhooks = Record<string, never>;
export interface components {
  schemas: {
    Health: {
      dependencies: {
        [key: string]: {
          error?: string;
          latencyMs: number;
          /** @enum {string} */
          status: 'up' | 'down';
        };
      };
      /** @enum {string} */
      status: 'healthy' | 'unhealthy';
    };
    Limits: {
      /** @description The caller’s Pending/Processing reports now. */
      activeReports: number;
      /** @description Exports one tenant may have Processing at once; more wait on the queue (0: no cap). */
      tenantMaxActiveExports: number;
      /** @description Pending/Processing reports one user may have. */
      userMaxActiveReports: number;
    };
    PageConfig: {
      devTokens: boolean;
      entra: {
        /** Format: uri */
        authority: string;
        clientId: string;
        scope: string;
      } | null;
      tokenSignIn: boolean;
    };
    PopularityRequest: {
      /** @description Only these columns, in this order (of: rank, albumId, title, artist, genre, releaseYear, ratingCount, averageRating). Default: all of them. */
      columns?: string[];
      /**
       * @description Compress the file: `gzip` for csv, json, ndjson (the file is then `<name>.<format>.gz`, `application/gzip`).
       * @enum {string}
       */
      compression?: 'gzip';
      /**
       * @description The file format, in any case.
       * @default csv
       * @enum {string}
       */
      format: 'csv' | 'json' | 'ndjson' | 'xlsx' | 'pdf' | 'parquet';
      /** @default {} */
      parameters: {
        /**
         * Format: date
         * @description First day of the range (inclusive), YYYY-MM-DD.
         */
        fromDate: string;
        /**
         * @description Only albums of this genre (in any case).
         * @enum {string}
         */
        genre?:
          | 'Rock'
          | 'Pop'
          | 'Jazz'
          | 'Hip-Hop'
          | 'Electronic'
          | 'Classical'
          | 'Folk'
          | 'Blues'
          | 'Country'
          | 'Metal';
        /**
         * Format: date
         * @description Last day of the range (inclusive), YYYY-MM-DD; not before fromDate.
         */
        toDate: string;
        /**
         * @description How many albums to rank.
         * @default 100
         */
        top?: number;
      };
      /** @description The IANA time zone timestamps are written in (ISO 8601 with its offset; local times in XLSX and PDF). Default UTC. The date range is always in UTC. */
      timeZone?: string;
    };
    /** @description RFC 9457 problem details. */
    Problem: {
      detail: string;
      /** @description Validation problems: field path (e.g. `parameters.toDate`) -> messages, all at once. */
      errors?: {
        [key: string]: string[];
      };
      /**
       * Format: uuid
       * @description 409: the active report asking the same.
       */
      existingReportId?: string;
      /** @description 413: the largest body accepted. */
      limitBytes?: number;
      /**
       * @description 409: the report’s status.
       * @enum {string}
       */
      reportStatus?: 'Pending' | 'Processing' | 'Completed' | 'Failed' | 'Cancelled';
      /** @description 403: the scope the token lacks. */
      requiredScope?: string;
      status: number;
      title: string;
      /**
       * Format: uri
       * @description Identifies the kind of problem; clients may switch on it.
       */
      type: string;
    } & {
      [key: string]: unknown;
    };
    Progress: {
      /** @description A chunked export only: its parts run side by side, each counted here when it is done. */
      chunks?: {
        /** @description Chunks finished. */
        done: number;
        /** @description Chunks in all. */
        total: number;
      };
      /** @description Estimated seconds until done, when the total is known. */
      etaSeconds: number | null;
      /** @description 0-100, one decimal, when the total is known. */
      percent: number | null;
      /** @description Work done, in the report type’s unit: rows written, or records scanned for aggregates. */
      processedRows: number;
      /** @description The total of that unit, when it is known. */
      totalRows: number | null;
    };
    RatingsRequest: {
      /** @description Only these columns, in this order (of: albumId, title, userId, rating, ratedAt). Default: all of them. */
      columns?: string[];
      /**
       * @description Compress the file: `gzip` for csv, json, ndjson (the file is then `<name>.<format>.gz`, `application/gzip`).
       * @enum {string}
       */
      compression?: 'gzip';
      /**
       * @description The file format, in any case.
       * @default csv
       * @enum {string}
       */
      format: 'csv' | 'json' | 'ndjson' | 'xlsx' | 'pdf' | 'parquet';
      /** @default {} */
      parameters: {
        /** @description Only ratings of this album. */
        albumId?: string;
        /**
         * Format: date
         * @description First day of the range (inclusive), YYYY-MM-DD.
         */
        fromDate: string;
        /**
         * Format: date
         * @description Last day of the range (inclusive), YYYY-MM-DD; not before fromDate.
         */
        toDate: string;
      };
      /** @description The IANA time zone timestamps are written in (ISO 8601 with its offset; local times in XLSX and PDF). Default UTC. The date range is always in UTC. */
      timeZone?: string;
    };
    Report: {
      cancelRequested: boolean;
      /** @description The columns the request chose, in order; null for all of the type’s. */
      columns: string[] | null;
      /** Format: date-time */
      completedAt: string | null;
      /**
       * @description The file’s compression, when the request asked for one.
       * @enum {string|null}
       */
      compression: 'gzip' | null;
      /** Format: date-time */
      createdAt: string;
      /** Format: date-time */
      downloadExpiresAt: string | null;
      /**
       * Format: uri
       * @description A short-lived read-only link to the file, once Completed.
       */
      downloadUrl: string | null;
      error: {
        code: string;
        message: string;
      } | null;
      fileName: string | null;
      format: string;
      /** @description The parameters as validated, defaults applied. */
      parameters: {
        [key: string]: unknown;
      };
      progress: components['schemas']['Progress'];
      /** Format: uuid */
      reportId: string;
      reportType: string;
      /** @description Rows in the file, once Completed. */
      rowCount: number | null;
      sizeBytes: number | null;
      /** Format: date-time */
      startedAt: string | null;
      /** @enum {string} */
      status: 'Pending' | 'Processing' | 'Completed' | 'Failed' | 'Cancelled';
      /** @description The IANA time zone the timestamps are written in (default UTC). */
      timeZone: string;
      /** @description The file holds fewer rows than the report has: the format caps its rows (PDF) and the source had more. */
      truncated: boolean;
      /** @description What the user should know about the export, e.g. that it matched no rows; empty when nothing. */
      warnings: string[];
    };
    ReportPage: {
      /** @description Pass it back for the next page; null on the last. */
      continuationToken: string | null;
      items: components['schemas']['Report'][];
    };
    ReportType: {
      /** @description The columns in their default order; a request’s `columns` picks and orders them. */
      columns: {
        header: string;
        /** @description What `columns` of a request names. */
        key: string;
        /** @enum {string} */
        type?: 'string' | 'integer' | 'number' | 'date';
      }[];
      /** @description The compressions a request may ask for. */
      compressions: {
        /** @description The formats `compression: "gzip"` applies to. */
        gzip: string[];
      };
      description: string;
      formats: string[];
      name: string;
      /** @description JSON Schema (draft 2020-12) of the request’s `parameters`. */
      parameters: {
        [key: string]: unknown;
      };
      title: string;
    };
    ReportTypes: {
      items: components['schemas']['ReportType'][];
    };
  };
  responses: never;
  parameters: never;
  requestBodies: never;
  headers: never;
  pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
  apiReference: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description An HTML page. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/html': string;
        };
      };
    };
  };
  health: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Every dependency answered. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Health'];
        };
      };
      /** @description A dependency did not answer. */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Health'];
        };
      };
    };
  };
  getLimits: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The limits. */
      200: {
        headers: {
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Limits'];
        };
      };
      /** @description No valid bearer token. */
      401: {
        headers: {
          /** @description The Bearer challenge (RFC 6750). */
          'WWW-Authenticate'?: string;
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://report-exports.dev/problems/unauthorized",
           *       "title": "Authentication required.",
           *       "status": 401,
           *       "detail": "A bearer token is required."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The token lacks the API’s scope or app role. */
      403: {
        headers: {
          /** @description An `insufficient_scope` Bearer challenge naming the scope. */
          'WWW-Authenticate'?: string;
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://report-exports.dev/problems/forbidden",
           *       "title": "Forbidden.",
           *       "status": 403,
           *       "detail": "The token grants neither the Reports.Access scope nor the Reports.Access app role.",
           *       "requiredScope": "Reports.Access"
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description An unexpected error; no details, only the correlation id to quote. */
      500: {
        headers: {
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://report-exports.dev/problems/internal-error",
           *       "title": "Internal server error.",
           *       "status": 500,
           *       "detail": "The request could not be completed. Quote the correlation id when you report this.",
           *       "correlationId": "0af7651916cd43dd8448eb211c80319c"
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description A database, broker or storage outage: try again after `Retry-After` seconds. */
      503: {
        headers: {
          /** @description Seconds to wait before trying again. */
          'Retry-After'?: string;
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://report-exports.dev/problems/service-unavailable",
           *       "title": "Service unavailable.",
           *       "status": 503,
           *       "detail": "The database is unavailable at the moment.",
           *       "correlationId": "0af7651916cd43dd8448eb211c80319c"
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  openApiDocument: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The OpenAPI document. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            [key: string]: unknown;
          };
        };
      };
    };
  };
  listReportTypes: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Every report type. */
      200: {
        headers: {
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ReportTypes'];
        };
      };
      /** @description No valid bearer token. */
      401: {
        headers: {
          /** @description The Bearer challenge (RFC 6750). */
          'WWW-Authenticate'?: string;
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://report-exports.dev/problems/unauthorized",
           *       "title": "Authentication required.",
           *       "status": 401,
           *       "detail": "A bearer token is required."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The token lacks the API’s scope or app role. */
      403: {
        headers: {
          /** @description An `insufficient_scope` Bearer challenge naming the scope. */
          'WWW-Authenticate'?: string;
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://report-exports.dev/problems/forbidden",
           *       "title": "Forbidden.",
           *       "status": 403,
           *       "detail": "The token grants neither the Reports.Access scope nor the Reports.Access app role.",
           *       "requiredScope": "Reports.Access"
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description An unexpected error; no details, only the correlation id to quote. */
      500: {
        headers: {
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://report-exports.dev/problems/internal-error",
           *       "title": "Internal server error.",
           *       "status": 500,
           *       "detail": "The request could not be completed. Quote the correlation id when you report this.",
           *       "correlationId": "0af7651916cd43dd8448eb211c80319c"
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description A database, broker or storage outage: try again after `Retry-After` seconds. */
      503: {
        headers: {
          /** @description Seconds to wait before trying again. */
          'Retry-After'?: string;
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://report-exports.dev/problems/service-unavailable",
           *       "title": "Service unavailable.",
           *       "status": 503,
           *       "detail": "The database is unavailable at the moment.",
           *       "correlationId": "0af7651916cd43dd8448eb211c80319c"
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  listReports: {
    parameters: {
      query?: {
        /** @description The `continuationToken` of the previous page. */
        continuationToken?: string;
        /** @description Reports per page. */
        pageSize?: number;
        /** @description Only reports of this type. */
        reportType?: string;
        /** @description Only reports in this status. */
        status?: 'Pending' | 'Processing' | 'Completed' | 'Failed' | 'Cancelled';
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description One page. */
      200: {
        headers: {
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ReportPage'];
        };
      };
      /** @description The request did not validate: `errors` names every problem at once. */
      400: {
        headers: {
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://report-exports.dev/problems/validation-error",
           *       "title": "Your request parameters did not validate.",
           *       "status": 400,
           *       "detail": "The query is invalid.",
           *       "errors": {
           *         "pageSize": [
           *           "must be at most 100"
           *         ]
           *       }
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No valid bearer token. */
      401: {
        headers: {
          /** @description The Bearer challenge (RFC 6750). */
          'WWW-Authenticate'?: string;
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://report-exports.dev/problems/unauthorized",
           *       "title": "Authentication required.",
           *       "status": 401,
           *       "detail": "A bearer token is required."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The token lacks the API’s scope or app role. */
      403: {
        headers: {
          /** @description An `insufficient_scope` Bearer challenge naming the scope. */
          'WWW-Authenticate'?: string;
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://report-exports.dev/problems/forbidden",
           *       "title": "Forbidden.",
           *       "status": 403,
           *       "detail": "The token grants neither the Reports.Access scope nor the Reports.Access app role.",
           *       "requiredScope": "Reports.Access"
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description An unexpected error; no details, only the correlation id to quote. */
      500: {
        headers: {
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://report-exports.dev/problems/internal-error",
           *       "title": "Internal server error.",
           *       "status": 500,
           *       "detail": "The request could not be completed. Quote the correlation id when you report this.",
           *       "correlationId": "0af7651916cd43dd8448eb211c80319c"
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description A database, broker or storage outage: try again after `Retry-After` seconds. */
      503: {
        headers: {
          /** @description Seconds to wait before trying again. */
          'Retry-After'?: string;
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://report-exports.dev/problems/service-unavailable",
           *       "title": "Service unavailable.",
           *       "status": 503,
           *       "detail": "The database is unavailable at the moment.",
           *       "correlationId": "0af7651916cd43dd8448eb211c80319c"
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getReport: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The report’s id (`reportId` of the report resource). */
        reportId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The report. */
      200: {
        headers: {
          /** @description Seconds to wait before polling again (2), while not finished. */
          'Retry-After'?: string;
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Report'];
        };
      };
      /** @description No valid bearer token. */
      401: {
        headers: {
          /** @description The Bearer challenge (RFC 6750). */
          'WWW-Authenticate'?: string;
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://report-exports.dev/problems/unauthorized",
           *       "title": "Authentication required.",
           *       "status": 401,
           *       "detail": "A bearer token is required."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The token lacks the API’s scope or app role. */
      403: {
        headers: {
          /** @description An `insufficient_scope` Bearer challenge naming the scope. */
          'WWW-Authenticate'?: string;
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://report-exports.dev/problems/forbidden",
           *       "title": "Forbidden.",
           *       "status": 403,
           *       "detail": "The token grants neither the Reports.Access scope nor the Reports.Access app role.",
           *       "requiredScope": "Reports.Access"
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No such report, or not yours. */
      404: {
        headers: {
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://report-exports.dev/problems/not-found",
           *       "title": "Not found.",
           *       "status": 404,
           *       "detail": "No such report."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description An unexpected error; no details, only the correlation id to quote. */
      500: {
        headers: {
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://report-exports.dev/problems/internal-error",
           *       "title": "Internal server error.",
           *       "status": 500,
           *       "detail": "The request could not be completed. Quote the correlation id when you report this.",
           *       "correlationId": "0af7651916cd43dd8448eb211c80319c"
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description A database, broker or storage outage: try again after `Retry-After` seconds. */
      503: {
        headers: {
          /** @description Seconds to wait before trying again. */
          'Retry-After'?: string;
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://report-exports.dev/problems/service-unavailable",
           *       "title": "Service unavailable.",
           *       "status": 503,
           *       "detail": "The database is unavailable at the moment.",
           *       "correlationId": "0af7651916cd43dd8448eb211c80319c"
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  createReportOfUnknownType: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description Not a report type name. */
        reportId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Not a known report type. */
      400: {
        headers: {
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://report-exports.dev/problems/validation-error",
           *       "title": "Your request parameters did not validate.",
           *       "status": 400,
           *       "detail": "Unknown report type 'nope'.",
           *       "errors": {
           *         "reportType": [
           *           "is not a known report type; see GET /api/report-types"
           *         ]
           *       }
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No valid bearer token. */
      401: {
        headers: {
          /** @description The Bearer challenge (RFC 6750). */
          'WWW-Authenticate'?: string;
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://report-exports.dev/problems/unauthorized",
           *       "title": "Authentication required.",
           *       "status": 401,
           *       "detail": "A bearer token is required."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The token lacks the API’s scope or app role. */
      403: {
        headers: {
          /** @description An `insufficient_scope` Bearer challenge naming the scope. */
          'WWW-Authenticate'?: string;
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://report-exports.dev/problems/forbidden",
           *       "title": "Forbidden.",
           *       "status": 403,
           *       "detail": "The token grants neither the Reports.Access scope nor the Reports.Access app role.",
           *       "requiredScope": "Reports.Access"
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description An unexpected error; no details, only the correlation id to quote. */
      500: {
        headers: {
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://report-exports.dev/problems/internal-error",
           *       "title": "Internal server error.",
           *       "status": 500,
           *       "detail": "The request could not be completed. Quote the correlation id when you report this.",
           *       "correlationId": "0af7651916cd43dd8448eb211c80319c"
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description A database, broker or storage outage: try again after `Retry-After` seconds. */
      503: {
        headers: {
          /** @description Seconds to wait before trying again. */
          'Retry-After'?: string;
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://report-exports.dev/problems/service-unavailable",
           *       "title": "Service unavailable.",
           *       "status": 503,
           *       "detail": "The database is unavailable at the moment.",
           *       "correlationId": "0af7651916cd43dd8448eb211c80319c"
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  cancelReport: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The report’s id (`reportId` of the report resource). */
        reportId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The report, Cancelled or with `cancelRequested`. */
      202: {
        headers: {
          /** @description Seconds to wait before polling again (2), while not finished. */
          'Retry-After'?: string;
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Report'];
        };
      };
      /** @description No valid bearer token. */
      401: {
        headers: {
          /** @description The Bearer challenge (RFC 6750). */
          'WWW-Authenticate'?: string;
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://report-exports.dev/problems/unauthorized",
           *       "title": "Authentication required.",
           *       "status": 401,
           *       "detail": "A bearer token is required."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The token lacks the API’s scope or app role. */
      403: {
        headers: {
          /** @description An `insufficient_scope` Bearer challenge naming the scope. */
          'WWW-Authenticate'?: string;
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://report-exports.dev/problems/forbidden",
           *       "title": "Forbidden.",
           *       "status": 403,
           *       "detail": "The token grants neither the Reports.Access scope nor the Reports.Access app role.",
           *       "requiredScope": "Reports.Access"
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No such report, or not yours. */
      404: {
        headers: {
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://report-exports.dev/problems/not-found",
           *       "title": "Not found.",
           *       "status": 404,
           *       "detail": "No such report."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The report is already finished. */
      409: {
        headers: {
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://report-exports.dev/problems/conflict",
           *       "title": "Conflict.",
           *       "status": 409,
           *       "detail": "The report is already Completed.",
           *       "reportStatus": "Completed"
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description An unexpected error; no details, only the correlation id to quote. */
      500: {
        headers: {
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://report-exports.dev/problems/internal-error",
           *       "title": "Internal server error.",
           *       "status": 500,
           *       "detail": "The request could not be completed. Quote the correlation id when you report this.",
           *       "correlationId": "0af7651916cd43dd8448eb211c80319c"
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description A database, broker or storage outage: try again after `Retry-After` seconds. */
      503: {
        headers: {
          /** @description Seconds to wait before trying again. */
          'Retry-After'?: string;
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://report-exports.dev/problems/service-unavailable",
           *       "title": "Service unavailable.",
           *       "status": 503,
           *       "detail": "The database is unavailable at the moment.",
           *       "correlationId": "0af7651916cd43dd8448eb211c80319c"
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  downloadReport: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The report’s id (`reportId` of the report resource). */
        reportId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description See Other: a fresh read-only link to the file. */
      303: {
        headers: {
          /** @description The link to the file. */
          Location: string;
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description No valid bearer token. */
      401: {
        headers: {
          /** @description The Bearer challenge (RFC 6750). */
          'WWW-Authenticate'?: string;
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://report-exports.dev/problems/unauthorized",
           *       "title": "Authentication required.",
           *       "status": 401,
           *       "detail": "A bearer token is required."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The token lacks the API’s scope or app role. */
      403: {
        headers: {
          /** @description An `insufficient_scope` Bearer challenge naming the scope. */
          'WWW-Authenticate'?: string;
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://report-exports.dev/problems/forbidden",
           *       "title": "Forbidden.",
           *       "status": 403,
           *       "detail": "The token grants neither the Reports.Access scope nor the Reports.Access app role.",
           *       "requiredScope": "Reports.Access"
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No such report, or not yours. */
      404: {
        headers: {
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://report-exports.dev/problems/not-found",
           *       "title": "Not found.",
           *       "status": 404,
           *       "detail": "No such report."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The report is not Completed. */
      409: {
        headers: {
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://report-exports.dev/problems/conflict",
           *       "title": "Conflict.",
           *       "status": 409,
           *       "detail": "The report is Processing; only a Completed report can be downloaded.",
           *       "reportStatus": "Processing"
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description An unexpected error; no details, only the correlation id to quote. */
      500: {
        headers: {
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://report-exports.dev/problems/internal-error",
           *       "title": "Internal server error.",
           *       "status": 500,
           *       "detail": "The request could not be completed. Quote the correlation id when you report this.",
           *       "correlationId": "0af7651916cd43dd8448eb211c80319c"
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description A database, broker or storage outage: try again after `Retry-After` seconds. */
      503: {
        headers: {
          /** @description Seconds to wait before trying again. */
          'Retry-After'?: string;
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://report-exports.dev/problems/service-unavailable",
           *       "title": "Service unavailable.",
           *       "status": 503,
           *       "detail": "The database is unavailable at the moment.",
           *       "correlationId": "0af7651916cd43dd8448eb211c80319c"
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  checkReportDownload: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The report’s id (`reportId` of the report resource). */
        reportId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description See Other: a fresh read-only link to the file. */
      303: {
        headers: {
          /** @description The link to the file. */
          Location: string;
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description No valid bearer token. */
      401: {
        headers: {
          /** @description The Bearer challenge (RFC 6750). */
          'WWW-Authenticate'?: string;
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://report-exports.dev/problems/unauthorized",
           *       "title": "Authentication required.",
           *       "status": 401,
           *       "detail": "A bearer token is required."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The token lacks the API’s scope or app role. */
      403: {
        headers: {
          /** @description An `insufficient_scope` Bearer challenge naming the scope. */
          'WWW-Authenticate'?: string;
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://report-exports.dev/problems/forbidden",
           *       "title": "Forbidden.",
           *       "status": 403,
           *       "detail": "The token grants neither the Reports.Access scope nor the Reports.Access app role.",
           *       "requiredScope": "Reports.Access"
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No such report, or not yours. */
      404: {
        headers: {
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://report-exports.dev/problems/not-found",
           *       "title": "Not found.",
           *       "status": 404,
           *       "detail": "No such report."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The report is not Completed. */
      409: {
        headers: {
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://report-exports.dev/problems/conflict",
           *       "title": "Conflict.",
           *       "status": 409,
           *       "detail": "The report is Processing; only a Completed report can be downloaded.",
           *       "reportStatus": "Processing"
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description An unexpected error; no details, only the correlation id to quote. */
      500: {
        headers: {
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://report-exports.dev/problems/internal-error",
           *       "title": "Internal server error.",
           *       "status": 500,
           *       "detail": "The request could not be completed. Quote the correlation id when you report this.",
           *       "correlationId": "0af7651916cd43dd8448eb211c80319c"
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description A database, broker or storage outage: try again after `Retry-After` seconds. */
      503: {
        headers: {
          /** @description Seconds to wait before trying again. */
          'Retry-After'?: string;
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://report-exports.dev/problems/service-unavailable",
           *       "title": "Service unavailable.",
           *       "status": 503,
           *       "detail": "The database is unavailable at the moment.",
           *       "correlationId": "0af7651916cd43dd8448eb211c80319c"
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  createPopularityReport: {
    parameters: {
      query?: never;
      header?: {
        /** @description 1-200 visible ASCII characters. A repeat with the same body returns the same report. */
        'Idempotency-Key'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: {
      content: {
        /**
         * @example {
         *       "format": "csv",
         *       "parameters": {
         *         "fromDate": "2024-01-01",
         *         "toDate": "2024-12-31"
         *       }
         *     }
         */
        'application/json': components['schemas']['PopularityRequest'];
      };
    };
    responses: {
      /** @description Accepted: the report, Pending (or the earlier one for a repeated Idempotency-Key). */
      202: {
        headers: {
          /** @description The report’s URL, e.g. `/api/reports/{reportId}`. */
          Location?: string;
          /** @description Seconds to wait before polling again (2), while not finished. */
          'Retry-After'?: string;
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Report'];
        };
      };
      /** @description The request did not validate: `errors` names every problem at once. */
      400: {
        headers: {
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://report-exports.dev/problems/validation-error",
           *       "title": "Your request parameters did not validate.",
           *       "status": 400,
           *       "detail": "The request is invalid.",
           *       "errors": {
           *         "format": [
           *           "must be one of: csv, json, ndjson, xlsx, pdf, parquet"
           *         ],
           *         "parameters.fromDate": [
           *           "is required"
           *         ]
           *       }
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No valid bearer token. */
      401: {
        headers: {
          /** @description The Bearer challenge (RFC 6750). */
          'WWW-Authenticate'?: string;
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://report-exports.dev/problems/unauthorized",
           *       "title": "Authentication required.",
           *       "status": 401,
           *       "detail": "A bearer token is required."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The token lacks the API’s scope or app role. */
      403: {
        headers: {
          /** @description An `insufficient_scope` Bearer challenge naming the scope. */
          'WWW-Authenticate'?: string;
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://report-exports.dev/problems/forbidden",
           *       "title": "Forbidden.",
           *       "status": 403,
           *       "detail": "The token grants neither the Reports.Access scope nor the Reports.Access app role.",
           *       "requiredScope": "Reports.Access"
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description An active report with the same type, format and parameters exists. */
      409: {
        headers: {
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://report-exports.dev/problems/conflict",
           *       "title": "Conflict.",
           *       "status": 409,
           *       "detail": "An active report with the same type, format and parameters exists.",
           *       "existingReportId": "6f1c2a4e-0b7d-4c41-9a55-2f4b8c1d9e07"
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The body is too large. */
      413: {
        headers: {
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://report-exports.dev/problems/payload-too-large",
           *       "title": "Request body too large.",
           *       "status": 413,
           *       "detail": "The request body must not exceed 65536 bytes.",
           *       "limitBytes": 65536
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The Idempotency-Key was used before with a different body. */
      422: {
        headers: {
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://report-exports.dev/problems/unprocessable-content",
           *       "title": "Unprocessable content.",
           *       "status": 422,
           *       "detail": "The Idempotency-Key was already used with a different request body."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The caller has USER_MAX_ACTIVE_REPORTS reports Pending or Processing already; nothing was stored. */
      429: {
        headers: {
          /** @description Seconds to wait before asking again. */
          'Retry-After'?: string;
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://report-exports.dev/problems/quota-exceeded",
           *       "title": "Quota exceeded.",
           *       "status": 429,
           *       "detail": "You have 20 active reports, the most allowed.",
           *       "limit": 20,
           *       "activeReports": 20
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description An unexpected error; no details, only the correlation id to quote. */
      500: {
        headers: {
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://report-exports.dev/problems/internal-error",
           *       "title": "Internal server error.",
           *       "status": 500,
           *       "detail": "The request could not be completed. Quote the correlation id when you report this.",
           *       "correlationId": "0af7651916cd43dd8448eb211c80319c"
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description A database, broker or storage outage: try again after `Retry-After` seconds. */
      503: {
        headers: {
          /** @description Seconds to wait before trying again. */
          'Retry-After'?: string;
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://report-exports.dev/problems/service-unavailable",
           *       "title": "Service unavailable.",
           *       "status": 503,
           *       "detail": "The database is unavailable at the moment.",
           *       "correlationId": "0af7651916cd43dd8448eb211c80319c"
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  createRatingsReport: {
    parameters: {
      query?: never;
      header?: {
        /** @description 1-200 visible ASCII characters. A repeat with the same body returns the same report. */
        'Idempotency-Key'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: {
      content: {
        /**
         * @example {
         *       "format": "csv",
         *       "parameters": {
         *         "fromDate": "2024-01-01",
         *         "toDate": "2024-12-31"
         *       }
         *     }
         */
        'application/json': components['schemas']['RatingsRequest'];
      };
    };
    responses: {
      /** @description Accepted: the report, Pending (or the earlier one for a repeated Idempotency-Key). */
      202: {
        headers: {
          /** @description The report’s URL, e.g. `/api/reports/{reportId}`. */
          Location?: string;
          /** @description Seconds to wait before polling again (2), while not finished. */
          'Retry-After'?: string;
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Report'];
        };
      };
      /** @description The request did not validate: `errors` names every problem at once. */
      400: {
        headers: {
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://report-exports.dev/problems/validation-error",
           *       "title": "Your request parameters did not validate.",
           *       "status": 400,
           *       "detail": "The request is invalid.",
           *       "errors": {
           *         "format": [
           *           "must be one of: csv, json, ndjson, xlsx, pdf, parquet"
           *         ],
           *         "parameters.fromDate": [
           *           "is required"
           *         ]
           *       }
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No valid bearer token. */
      401: {
        headers: {
          /** @description The Bearer challenge (RFC 6750). */
          'WWW-Authenticate'?: string;
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://report-exports.dev/problems/unauthorized",
           *       "title": "Authentication required.",
           *       "status": 401,
           *       "detail": "A bearer token is required."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The token lacks the API’s scope or app role. */
      403: {
        headers: {
          /** @description An `insufficient_scope` Bearer challenge naming the scope. */
          'WWW-Authenticate'?: string;
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://report-exports.dev/problems/forbidden",
           *       "title": "Forbidden.",
           *       "status": 403,
           *       "detail": "The token grants neither the Reports.Access scope nor the Reports.Access app role.",
           *       "requiredScope": "Reports.Access"
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description An active report with the same type, format and parameters exists. */
      409: {
        headers: {
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://report-exports.dev/problems/conflict",
           *       "title": "Conflict.",
           *       "status": 409,
           *       "detail": "An active report with the same type, format and parameters exists.",
           *       "existingReportId": "6f1c2a4e-0b7d-4c41-9a55-2f4b8c1d9e07"
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The body is too large. */
      413: {
        headers: {
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://report-exports.dev/problems/payload-too-large",
           *       "title": "Request body too large.",
           *       "status": 413,
           *       "detail": "The request body must not exceed 65536 bytes.",
           *       "limitBytes": 65536
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The Idempotency-Key was used before with a different body. */
      422: {
        headers: {
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://report-exports.dev/problems/unprocessable-content",
           *       "title": "Unprocessable content.",
           *       "status": 422,
           *       "detail": "The Idempotency-Key was already used with a different request body."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The caller has USER_MAX_ACTIVE_REPORTS reports Pending or Processing already; nothing was stored. */
      429: {
        headers: {
          /** @description Seconds to wait before asking again. */
          'Retry-After'?: string;
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://report-exports.dev/problems/quota-exceeded",
           *       "title": "Quota exceeded.",
           *       "status": 429,
           *       "detail": "You have 20 active reports, the most allowed.",
           *       "limit": 20,
           *       "activeReports": 20
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description An unexpected error; no details, only the correlation id to quote. */
      500: {
        headers: {
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://report-exports.dev/problems/internal-error",
           *       "title": "Internal server error.",
           *       "status": 500,
           *       "detail": "The request could not be completed. Quote the correlation id when you report this.",
           *       "correlationId": "0af7651916cd43dd8448eb211c80319c"
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description A database, broker or storage outage: try again after `Retry-After` seconds. */
      503: {
        headers: {
          /** @description Seconds to wait before trying again. */
          'Retry-After'?: string;
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://report-exports.dev/problems/service-unavailable",
           *       "title": "Service unavailable.",
           *       "status": 503,
           *       "detail": "The database is unavailable at the moment.",
           *       "correlationId": "0af7651916cd43dd8448eb211c80319c"
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  webPageConfig: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The page’s configuration. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['PageConfig'];
        };
      };
    };
  };
}
