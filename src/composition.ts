import { createAzureClients } from './adapters/azure-clients';
import { createHealthProbes } from './adapters/health-probes';
import type { AppConfig } from './config';
import { createBlobDownloadLinks } from './adapters/blob-download-links';
import { createCosmosChunkStore } from './adapters/cosmos-chunk-store';
import { createCosmosOutboxStore } from './adapters/cosmos-outbox-store';
import { createCosmosReportStore } from './adapters/cosmos-report-store';
import { createServiceBusPublisher } from './adapters/servicebus-publisher';
import { createTokenVerifier } from './auth/verifier';
import { builtInReportTypes, type ReportTypeRegistry } from './domain/report-types';
import { createFunctions } from './functions';
import type { FunctionDefinition } from './functions/definition';
import { checkHealth } from './services/health';
import type { Services } from './services';
import { createOutboxRelay, createOutboxSweep, routeBySubject } from './services/outbox-relay';
import { createReportService } from './services/reports';
import { createBlobReportFiles } from './adapters/blob-report-files';
import { createCosmosSourceData } from './adapters/cosmos-source-data';
import { createExportWorker } from './services/export-worker';
import { createFairness } from './services/fairness';
import { countDeferred } from './telemetry/metrics';
import { observeClaim, observedReportStore } from './telemetry/store';
import { tracedPublisher } from './telemetry/tracing';
import { createCosmosWebhookStore } from './adapters/cosmos-webhook-store';
import { createWebhookSender, systemResolver } from './adapters/webhook-sender';
import { createWebhookService } from './services/webhooks';

/** How many outbox documents one sweep relays at most. */
const SWEEP_LIMIT = 500;

const HEALTH_PROBE_TIMEOUT_MS = 5_000;

export interface AppOptions {
  /** The report types the API offers and the worker runs (default: the built-in types). */
  reportTypes?: ReportTypeRegistry;
}

/** The app: its services, its functions wired to them, and `close()` for the SDK clients behind them. */
export interface App {
  services: Services;
  functions: readonly FunctionDefinition[];
  /** Closes the SDK clients (which are not reachable from here otherwise). */
  close(): Promise<void>;
}

/** Builds the app from the validated config: one client per service, shared by everything. */
export function createApp(config: AppConfig, options: AppOptions = {}): App {
  const reportTypes = options.reportTypes ?? builtInReportTypes;
  const clients = createAzureClients(config);
  const probes = createHealthProbes(clients, config);
  const reportsContainer = clients.cosmos
    .database(config.cosmos.databaseName)
    .container(config.cosmos.reportsContainer);
  const database = clients.cosmos.database(config.cosmos.databaseName);
  const outboxStore = createCosmosOutboxStore(reportsContainer);
  const reportStore = observedReportStore(
    createCosmosReportStore(reportsContainer, config.continuationTokenSecret),
  );
  const publisher = tracedPublisher(
    createServiceBusPublisher(clients.serviceBus, config.serviceBus.reportRequestsQueue),
    config.serviceBus.reportRequestsQueue,
  );
  const eventsPublisher = tracedPublisher(
    createServiceBusPublisher(clients.serviceBus, config.serviceBus.reportEventsQueue),
    config.serviceBus.reportEventsQueue,
  );
  const retentionSeconds = config.retentionDays * 24 * 3600;
  const reportFiles = createBlobReportFiles(clients.blob, config.blob.reportsContainer);
  const fairness = createFairness({
    store: reportStore,
    publisher,
    maxActivePerTenant: config.limits.tenantMaxActiveExports,
    chunkWindow: config.limits.tenantChunkWindow,
    deferMs: config.limits.tenantDeferSeconds * 1000,
    onDeferred: countDeferred,
  });
  const relay = createOutboxRelay({
    // Terminal transitions' events go to their own queue, the export requests to theirs.
    publisher: routeBySubject({ ReportEvent: eventsPublisher }, publisher),
    store: outboxStore,
    dispatchedTtlSeconds: config.outbox.dispatchedTtlSeconds,
    // A failed doc is retried by the sweeper, first after the grace period (at least 1 s), then after
    // twice as long each time, up to OUTBOX_RETRY_MAX_SECONDS.
    retryBaseMs: Math.max(config.outbox.sweepGraceSeconds, 1) * 1000,
    retryMaxMs: config.outbox.retryMaxSeconds * 1000,
  });
  const chunkStore = createCosmosChunkStore(reportsContainer);
  const services: Services = {
    config,
    reportTypes,
    health: () => checkHealth(probes, HEALTH_PROBE_TIMEOUT_MS),
    verifyToken: createTokenVerifier(config.auth),
    reports: createReportService({
      store: reportStore,
      downloads: createBlobDownloadLinks(
        clients.blob,
        config.blob.reportsContainer,
        config.downloadLinkMinutes,
      ),
      chunks: chunkStore,
      retentionSeconds,
      reportTypes,
      userMaxActiveReports: config.limits.userMaxActiveReports,
      tenantMaxActiveExports: config.limits.tenantMaxActiveExports,
    }),
    exportWorker: createExportWorker({
      store: reportStore,
      files: reportFiles,
      blocks: reportFiles,
      chunks: chunkStore,
      data: createCosmosSourceData(
        database.container(config.cosmos.albumsContainer),
        database.container(config.cosmos.ratingsContainer),
      ),
      publisher,
      ...config.worker,
      retentionSeconds,
      reportType: (name) => reportTypes.get(name),
      share: fairness,
      onClaimed: observeClaim,
    }),
    webhooks: createWebhookService({
      store: createCosmosWebhookStore(reportsContainer),
      resolve: systemResolver,
      send: createWebhookSender({
        allowedHosts: config.webhooks.allowedHosts,
        timeoutMs: config.webhooks.timeoutMs,
      }),
      publisher: eventsPublisher,
      allowedHosts: config.webhooks.allowedHosts,
      retryScheduleSeconds: config.webhooks.retryScheduleSeconds,
      secretGraceSeconds: config.webhooks.secretGraceSeconds,
      retentionSeconds,
    }),
    queues: { reportRequests: publisher, reportEvents: eventsPublisher },
    outbox: createOutboxSweep({
      relay,
      store: outboxStore,
      graceSeconds: config.outbox.sweepGraceSeconds,
      limit: SWEEP_LIMIT,
    }),
  };
  return { services, functions: createFunctions(services), close: () => clients.close() };
}
