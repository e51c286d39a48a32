// Application Insights through Azure Monitor OpenTelemetry, on when the Function App has a connection
// string (infra/ sets APPLICATIONINSIGHTS_CONNECTION_STRING, with Entra authentication). Off locally.
import { useAzureMonitor } from '@azure/monitor-opentelemetry';
import { ManagedIdentityCredential } from '@azure/identity';

export function startTelemetry(env: NodeJS.ProcessEnv = process.env): boolean {
  const connectionString = env.APPLICATIONINSIGHTS_CONNECTION_STRING?.trim();
  if (!connectionString) return false;
  // Local auth is off on the Application Insights resource: export with the app's managed identity,
  // named as the Functions host reads it (`ClientId=<id>;Authorization=AAD`).
  const clientId = /(?:^|;)\s*ClientId=([^;]+)/i
    .exec(env.APPLICATIONINSIGHTS_AUTHENTICATION_STRING ?? '')?.[1]
    ?.trim();
  useAzureMonitor({
    azureMonitorExporterOptions: {
      connectionString,
      credential: clientId ? new ManagedIdentityCredential({ clientId }) : new ManagedIdentityCredential(),
    },
  });
  return true;
}
