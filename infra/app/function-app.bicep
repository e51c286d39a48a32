// Function App on Flex Consumption (Linux, Node.js 22), running as the user-assigned identity.
// Every connection is identity-based: `<NAME>__<endpoint>` + `<NAME>__credential: managedidentity` +
// `<NAME>__clientId` (see src/config.ts). No connection string or key is stored in app settings.
// Flex Consumption takes the runtime from functionAppConfig.runtime, so FUNCTIONS_WORKER_RUNTIME and
// FUNCTIONS_EXTENSION_VERSION must NOT be set as app settings.
param name string
param planName string
param location string
param tags object = {}

@description('Resource id of the user-assigned identity.')
param identityId string
@description('Client id of the user-assigned identity.')
param identityClientId string

param storageAccountName string
param storageBlobEndpoint string
param deploymentContainerName string
param applicationInsightsConnectionString string

param cosmosAccountEndpoint string
param cosmosDatabaseName string
param cosmosReportsContainer string
param cosmosLeasesContainer string
param cosmosAlbumsContainer string
param cosmosRatingsContainer string

param serviceBusHostName string
param serviceBusQueueName string
param serviceBusEventsQueueName string
param serviceBusMaxDeliveryCount int
param serviceBusLockDurationSeconds int
param serviceBusDuplicateDetectionWindowMinutes int

param blobReportsContainer string
param retentionDays int
@description('Minutes a download link (SAS) stays valid.')
param downloadLinkMinutes int

@description('Active reports one user may have (USER_MAX_ACTIVE_REPORTS).')
param userMaxActiveReports int
@description('Places: exports one tenant may have Processing at once, 0: no cap (TENANT_MAX_ACTIVE_EXPORTS).')
param tenantMaxActiveExports int
@description('Chunk messages one tenant may have out at once, 0: no window (TENANT_CHUNK_WINDOW).')
param tenantChunkWindow int

param authIssuer string
param authAudience string
param authJwksUri string
@description('Delegated scope (scp) or app role (roles) every token must carry; empty: any token for the audience.')
param authRequiredScope string = ''

// Key of the HMAC that makes the list's continuation tokens tamper-proof. Set it (from the azd
// environment) to keep tokens valid across provisions; empty, a random key is generated per deployment,
// and the continuation tokens handed out before it stop being accepted (a client lists from the start).
@secure()
param continuationTokenSecret string = ''
@secure()
@description('Random key used when continuationTokenSecret is empty; generated anew at each deployment.')
param generatedContinuationTokenSecret string = '${newGuid()}${newGuid()}'
var effectiveContinuationTokenSecret = empty(continuationTokenSecret) ? generatedContinuationTokenSecret : continuationTokenSecret

// Microsoft Entra ID sign-in on the web page (/api/web): the client id of its single-page-application
// registration turns it on; empty authority and scope mean the AUTH_ISSUER tenant and <audience>/.default.
param webAuthClientId string = ''
param webAuthAuthority string = ''
param webAuthScope string = ''

@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100
@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true // Linux
  }
}

// The app settings, one object so they can be read (and checked by test/infra/infra.test.ts) at a glance.
var appSettings = {
  // Functions host storage (identity-based).
  AzureWebJobsStorage__accountName: storageAccountName
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId

  // Telemetry, sent with the managed identity (local auth is disabled on Application Insights).
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'

  // Cosmos DB connection `COSMOS` (also used by the Cosmos DB trigger of outboxRelay).
  COSMOS__accountEndpoint: cosmosAccountEndpoint
  COSMOS__credential: 'managedidentity'
  COSMOS__clientId: identityClientId
  COSMOS_DATABASE_NAME: cosmosDatabaseName
  COSMOS_REPORTS_CONTAINER: cosmosReportsContainer
  COSMOS_LEASES_CONTAINER: cosmosLeasesContainer
  COSMOS_ALBUMS_CONTAINER: cosmosAlbumsContainer
  COSMOS_RATINGS_CONTAINER: cosmosRatingsContainer

  // Service Bus connection `SERVICEBUS`: the namespace host name (<name>.servicebus.windows.net, no scheme),
  // as the Functions Service Bus extension expects; src/config.ts accepts only a host name here.
  SERVICEBUS__fullyQualifiedNamespace: serviceBusHostName
  SERVICEBUS__credential: 'managedidentity'
  SERVICEBUS__clientId: identityClientId
  SERVICEBUS_REPORT_REQUESTS_QUEUE: serviceBusQueueName
  SERVICEBUS_REPORT_EVENTS_QUEUE: serviceBusEventsQueueName
  // The queue as provisioned (servicebus.bicep); the app reads them as plain numbers.
  SERVICEBUS_MAX_DELIVERY_COUNT: string(serviceBusMaxDeliveryCount)
  SERVICEBUS_LOCK_DURATION_SECONDS: string(serviceBusLockDurationSeconds)
  SERVICEBUS_DUPLICATE_DETECTION_WINDOW_MINUTES: string(serviceBusDuplicateDetectionWindowMinutes)

  // Blob connection `BLOB` (report files; download links are user delegation SAS).
  BLOB__serviceUri: storageBlobEndpoint
  BLOB__credential: 'managedidentity'
  BLOB__clientId: identityClientId
  BLOB_REPORTS_CONTAINER: blobReportsContainer

  // Outbox, download links and report lifetime (the app's defaults, written out so they are visible).
  OUTBOX_SWEEP_GRACE_SECONDS: '30'
  OUTBOX_RETRY_MAX_SECONDS: '300'
  OUTBOX_DISPATCHED_TTL_SECONDS: string(7 * 24 * 3600)
  DOWNLOAD_LINK_MINUTES: string(downloadLinkMinutes)

  // Export worker: claim lease, attempts, retry backoff.
  WORKER_LEASE_SECONDS: '15'
  WORKER_MAX_ATTEMPTS: '5'
  WORKER_RETRY_BASE_SECONDS: '5'
  WORKER_RETRY_MAX_SECONDS: '300'
  EXPORT_CHUNK_TARGET_ROWS: '100000'
  EXPORT_CHUNK_MAX_COUNT: '4000'
  REPORT_RETENTION_DAYS: string(retentionDays)

  // Fair sharing between users and tenants: a user's quota of active reports (429 beyond it), a
  // tenant's cap on running exports (over it, a request is re-delivered later, after this many seconds).
  USER_MAX_ACTIVE_REPORTS: string(userMaxActiveReports)
  TENANT_MAX_ACTIVE_EXPORTS: string(tenantMaxActiveExports)
  TENANT_CHUNK_WINDOW: string(tenantChunkWindow)
  RECONCILE_GRACE_SECONDS: '120'
  RECONCILE_MAX_REDRIVES: '3'
  TENANT_DEFER_SECONDS: '2'

  // Webhooks: https and public addresses only (no host allowed otherwise), 5 s per attempt, eight attempts
  // over about a day, a rotated-out secret signing one more day.
  WEBHOOK_ALLOWED_HOSTS: ''
  WEBHOOK_TIMEOUT_SECONDS: '5'
  WEBHOOK_RETRY_SCHEDULE_SECONDS: '5,300,1800,7200,18000,36000,36000'
  WEBHOOK_SECRET_GRACE_SECONDS: '86400'

  // Bearer tokens from Microsoft Entra ID. (The local development key setting is never set in Azure.)
  AUTH_ISSUER: authIssuer
  AUTH_AUDIENCE: authAudience
  AUTH_JWKS_URI: authJwksUri
  // When set, a token must also carry this delegated scope (scp) or app role (roles), else 403.
  AUTH_REQUIRED_SCOPE: authRequiredScope
  // Keys the continuation tokens' HMAC (a secret app setting; never returned by the API).
  CONTINUATION_TOKEN_SECRET: effectiveContinuationTokenSecret

  // The web page's sign-in (empty: the page only takes a pasted bearer token).
  WEB_AUTH_CLIENT_ID: webAuthClientId
  WEB_AUTH_AUTHORITY: webAuthAuthority
  WEB_AUTH_SCOPE: webAuthScope
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'api' }) // azd deploys service `api` here
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageBlobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'node'
        version: '22'
      }
    }
  }

  resource settings 'config' = {
    name: 'appsettings'
    properties: appSettings
  }
}

output name string = functionApp.name
output defaultHostName string = functionApp.properties.defaultHostName
