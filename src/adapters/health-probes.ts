import type { AppConfig } from '../config';
import type { Probe } from '../services/health';
import type { AzureClients } from './azure-clients';

/** Probes that use each service's data plane exactly as the app does, so "up" means "usable by us". */
export function createHealthProbes(clients: AzureClients, config: AppConfig): Record<string, Probe> {
  return {
    cosmos: async (abortSignal) => {
      await clients.cosmos
        .database(config.cosmos.databaseName)
        .container(config.cosmos.reportsContainer)
        .read({ abortSignal });
    },
    serviceBus: async (abortSignal) => {
      // Opening a sender link needs the connection and its claims on the queue; nothing is sent.
      const sender = clients.serviceBus.createSender(config.serviceBus.reportRequestsQueue);
      try {
        await sender.createMessageBatch({ abortSignal });
      } finally {
        await sender.close().catch(() => undefined);
      }
    },
    blob: async (abortSignal) => {
      await clients.blob.getContainerClient(config.blob.reportsContainer).getProperties({ abortSignal });
    },
  };
}
