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
     * Start an export of a type that does not exist
     * @description A `POST` to `/reports/{name}` starts an export of the report type `name`: the operations above, one a type (`GET /api/report-types` lists them). Any other name is a `400`. OpenAPI gives one name to a path segment for every method, so this segment is called `reportId` here, as for `GET` and `DELETE`; for a `POST` it holds a report type name.
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
  '/webhooks': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The tenant’s webhook endpoints */
    get: operations['listWebhooks'];
    put?: never;
    /** Register a webhook endpoint; its signing secret is shown in this answer only */
    post: operations['createWebhook'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/webhooks/{webhookId}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** One webhook endpoint */
    get: operations['getWebhook'];
    put?: never;
    post?: never;
    /** Remove a webhook endpoint */
    delete: operations['deleteWebhook'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/webhooks/{webhookId}/deliveries': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The endpoint’s deliveries, newest first, each with its attempts */
    get: operations['listWebhookDeliveries'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/webhooks/{webhookId}/deliveries/{deliveryId}/redeliver': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Deliver an event again, now, as a new attempt */
    post: operations['redeliverWebhook'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/webhooks/{webhookId}/secret': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** A new signing secret; the previous one keeps signing for WEBHOOK_SECRET_GRACE_SECONDS */
    post: operations['rotateWebhookSecret'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
export interface webhooks {
  'report.cancelled': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * The report.cancelled event, POSTed to every endpoint that asked for it
     * @description Signed as the Standard Webhooks specification says: `webhook-id` (the same for every retry), `webhook-timestamp` and `webhook-signature` (`v1,` and base64 of HMAC-SHA256 over `{id}.{timestamp}.{body}` with the endpoint’s secret). Answer 2xx within a few seconds; anything else is retried with backoff.
     */
    post: operations['eventReportCancelled'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  'report.completed': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * The report.completed event, POSTed to every endpoint that asked for it
     * @description Signed as the Standard Webhooks specification says: `webhook-id` (the same for every retry), `webhook-timestamp` and `webhook-signature` (`v1,` and base64 of HMAC-SHA256 over `{id}.{timestamp}.{body}` with the endpoint’s secret). Answer 2xx within a few seconds; anything else is retried with backoff.
     */
    post: operations['eventReportCompleted'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  'report.failed': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * The report.failed event, POSTed to every endpoint that asked for it
     * @description Signed as the Standard Webhooks specification says: `webhook-id` (the same for every retry), `webhook-timestamp` and `webhook-signature` (`v1,` and base64 of HMAC-SHA256 over `{id}.{timestamp}.{body}` with the endpoint’s secret). Answer 2xx within a few seconds; anything else is retried with backoff.
     */
    post: operations['eventReportFailed'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
export interface components {
  schemas: {
    CreatedWebhookEndpoint: {
      createdAt: string;
      description: string;
      events: ('report.completed' | 'report.failed' | 'report.cancelled')[];
      id: string;
      /** @description The signing secret (`whsec_...`): shown only in this answer. */
      secret: string;
      url: string;
    };
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
    ReportEvent: {
      data: components['schemas']['ReportEventData'];
      /** @description The event’s id, also in the `webhook-id` header: the same for every retry. */
      id: string;
      /** @description When the report ended (ISO 8601). */
      timestamp: string;
      /** @enum {string} */
      type: 'report.completed' | 'report.failed' | 'report.cancelled';
    };
    /** @description The report resource without a download link: fetch `/api/reports/{reportId}/download` for one. */
    ReportEventData: {
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
    WebhookDelivery: {
      attempts: {
        at: string;
        attempt: number;
        durationMs: number;
        error: string | null;
        responseExcerpt: string | null;
        statusCode: number | null;
      }[];
      createdAt: string;
      deliveryId: string;
      endpointId: string;
      /** @description The `webhook-id` of every attempt of this delivery. */
      eventId: string;
      /** @enum {string} */
      eventType: 'report.completed' | 'report.failed' | 'report.cancelled';
      nextAttemptAt: string | null;
      reportId: string;
      /** @enum {string} */
      status: 'Pending' | 'Delivered' | 'Failed';
      updatedAt: string;
    };
    WebhookDeliveryList: {
      items: components['schemas']['WebhookDelivery'][];
    };
    WebhookEndpoint: {
      createdAt: string;
      description: string;
      events: ('report.completed' | 'report.failed' | 'report.cancelled')[];
      id: string;
      url: string;
    };
    WebhookInput: {
      /** @default  */
      description: string;
      events: ('report.completed' | 'report.failed' | 'report.cancelled')[];
      url: string;
    };
    WebhookList: {
      items: components['schemas']['WebhookEndpoint'][];
    };
    WebhookSecret: {
      /** @description The new signing secret; the previous one still signs for a while. */
      secret: string;
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
        /** @description Only reports in this file format (any case). */
        format?: 'csv' | 'json' | 'ndjson' | 'xlsx' | 'pdf' | 'parquet';
        /** @description Reports per page. */
        pageSize?: number;
        /** @description Only reports of this type (any case). */
        reportType?: string;
        /** @description Only reports in this status (any case). */
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
      /** @description The request did not validate: `errors` names every problem at once, by field, and `detail` lists them. */
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
           *       "detail": "The query is invalid: pageSize must be at most 100.",
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
        /** @description For a `POST`: the name of the report type to export (here, one that does not exist). */
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
      /** @description A repeated Idempotency-Key of a report that is finished: the report as `GET` shows it, with its `downloadUrl` once Completed. */
      200: {
        headers: {
          /** @description The report’s URL, e.g. `/api/reports/{reportId}`. */
          Location?: string;
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Report'];
        };
      };
      /** @description Accepted: the report, Pending (or, for a repeated Idempotency-Key, the earlier one as it is now). */
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
          /**
           * @example {
           *       "reportId": "6f1c2a4e-0b7d-4c41-9a55-2f4b8c1d9e07",
           *       "reportType": "popularity",
           *       "format": "csv",
           *       "parameters": {
           *         "fromDate": "2024-01-01",
           *         "toDate": "2024-12-31",
           *         "top": 100
           *       },
           *       "status": "Pending",
           *       "cancelRequested": false,
           *       "progress": {
           *         "processedRows": 0,
           *         "totalRows": null,
           *         "percent": null,
           *         "etaSeconds": null
           *       },
           *       "createdAt": "2024-05-01T12:00:00.000Z",
           *       "startedAt": null,
           *       "completedAt": null,
           *       "error": null,
           *       "rowCount": null,
           *       "sizeBytes": null,
           *       "fileName": null,
           *       "truncated": false,
           *       "warnings": [],
           *       "compression": null,
           *       "columns": null,
           *       "timeZone": "UTC",
           *       "downloadUrl": null,
           *       "downloadExpiresAt": null
           *     }
           */
          'application/json': components['schemas']['Report'];
        };
      };
      /** @description The request did not validate: `errors` names every problem at once, by field, and `detail` lists them. Also a request without a body, or with one not sent as `application/json` (a `bad-request` problem). */
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
           *       "detail": "The request is invalid: format must be one of: csv, json, ndjson, xlsx, pdf, parquet; parameters.fromDate is required.",
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
      /** @description A repeated Idempotency-Key of a report that is finished: the report as `GET` shows it, with its `downloadUrl` once Completed. */
      200: {
        headers: {
          /** @description The report’s URL, e.g. `/api/reports/{reportId}`. */
          Location?: string;
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Report'];
        };
      };
      /** @description Accepted: the report, Pending (or, for a repeated Idempotency-Key, the earlier one as it is now). */
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
          /**
           * @example {
           *       "reportId": "6f1c2a4e-0b7d-4c41-9a55-2f4b8c1d9e07",
           *       "reportType": "ratings",
           *       "format": "csv",
           *       "parameters": {
           *         "fromDate": "2024-01-01",
           *         "toDate": "2024-12-31"
           *       },
           *       "status": "Pending",
           *       "cancelRequested": false,
           *       "progress": {
           *         "processedRows": 0,
           *         "totalRows": null,
           *         "percent": null,
           *         "etaSeconds": null
           *       },
           *       "createdAt": "2024-05-01T12:00:00.000Z",
           *       "startedAt": null,
           *       "completedAt": null,
           *       "error": null,
           *       "rowCount": null,
           *       "sizeBytes": null,
           *       "fileName": null,
           *       "truncated": false,
           *       "warnings": [],
           *       "compression": null,
           *       "columns": null,
           *       "timeZone": "UTC",
           *       "downloadUrl": null,
           *       "downloadExpiresAt": null
           *     }
           */
          'application/json': components['schemas']['Report'];
        };
      };
      /** @description The request did not validate: `errors` names every problem at once, by field, and `detail` lists them. Also a request without a body, or with one not sent as `application/json` (a `bad-request` problem). */
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
           *       "detail": "The request is invalid: format must be one of: csv, json, ndjson, xlsx, pdf, parquet; parameters.fromDate is required.",
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
  listWebhooks: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The endpoints (never a secret). */
      200: {
        headers: {
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['WebhookList'];
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
      /** @description The caller is not an admin of its tenant. */
      403: {
        headers: {
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
           *       "detail": "Webhooks are managed by the Reports.Admin role."
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
  createWebhook: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['WebhookInput'];
      };
    };
    responses: {
      /** @description The endpoint, with its secret. */
      201: {
        headers: {
          /** @description The endpoint’s URL. */
          Location?: string;
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CreatedWebhookEndpoint'];
        };
      };
      /** @description The request did not validate: `errors` names every problem at once, by field, and `detail` lists them. */
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
           *       "detail": "The webhook is invalid.",
           *       "errors": {
           *         "url": [
           *           "must not resolve to a private address"
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
      /** @description The caller is not an admin of its tenant. */
      403: {
        headers: {
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
           *       "detail": "Webhooks are managed by the Reports.Admin role."
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
           *       "title": "Payload too large.",
           *       "status": 413,
           *       "detail": "The body is over 65536 bytes."
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
  getWebhook: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The endpoint’s id. */
        webhookId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The endpoint (never its secret). */
      200: {
        headers: {
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['WebhookEndpoint'];
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
      /** @description The caller is not an admin of its tenant. */
      403: {
        headers: {
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
           *       "detail": "Webhooks are managed by the Reports.Admin role."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No such webhook endpoint in the caller’s tenant. */
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
           *       "detail": "No such webhook."
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
  deleteWebhook: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The endpoint’s id. */
        webhookId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Removed. */
      204: {
        headers: {
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
      /** @description The caller is not an admin of its tenant. */
      403: {
        headers: {
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
           *       "detail": "Webhooks are managed by the Reports.Admin role."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No such webhook endpoint in the caller’s tenant. */
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
           *       "detail": "No such webhook."
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
  listWebhookDeliveries: {
    parameters: {
      query?: {
        limit?: number;
      };
      header?: never;
      path: {
        /** @description The endpoint’s id. */
        webhookId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The deliveries. */
      200: {
        headers: {
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['WebhookDeliveryList'];
        };
      };
      /** @description The request did not validate: `errors` names every problem at once, by field, and `detail` lists them. */
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
           *         "limit": [
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
      /** @description The caller is not an admin of its tenant. */
      403: {
        headers: {
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
           *       "detail": "Webhooks are managed by the Reports.Admin role."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No such webhook endpoint in the caller’s tenant. */
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
           *       "detail": "No such webhook."
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
  redeliverWebhook: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The delivery’s id. */
        deliveryId: string;
        /** @description The endpoint’s id. */
        webhookId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The delivery, Pending until the attempt is made. */
      202: {
        headers: {
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['WebhookDelivery'];
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
      /** @description The caller is not an admin of its tenant. */
      403: {
        headers: {
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
           *       "detail": "Webhooks are managed by the Reports.Admin role."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No such delivery of that endpoint in the caller’s tenant. */
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
           *       "detail": "No such delivery."
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
  rotateWebhookSecret: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The endpoint’s id. */
        webhookId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The new secret, shown once. */
      200: {
        headers: {
          /** @description The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one. */
          'x-correlation-id': string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['WebhookSecret'];
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
      /** @description The caller is not an admin of its tenant. */
      403: {
        headers: {
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
           *       "detail": "Webhooks are managed by the Reports.Admin role."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No such webhook endpoint in the caller’s tenant. */
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
           *       "detail": "No such webhook."
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
  eventReportCancelled: {
    parameters: {
      query?: never;
      header: {
        'webhook-id': string;
        'webhook-signature': string;
        'webhook-timestamp': string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['ReportEvent'];
      };
    };
    responses: {
      /** @description Received (any 2xx). */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
    };
  };
  eventReportCompleted: {
    parameters: {
      query?: never;
      header: {
        'webhook-id': string;
        'webhook-signature': string;
        'webhook-timestamp': string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['ReportEvent'];
      };
    };
    responses: {
      /** @description Received (any 2xx). */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
    };
  };
  eventReportFailed: {
    parameters: {
      query?: never;
      header: {
        'webhook-id': string;
        'webhook-signature': string;
        'webhook-timestamp': string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['ReportEvent'];
      };
    };
    responses: {
      /** @description Received (any 2xx). */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
    };
  };
}
