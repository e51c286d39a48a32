// Entry point for `azd provision`: one resource group per azd environment, holding the Function App
// (Flex Consumption) and everything it talks to. All connections are identity-based; no keys or
// connection strings are created or stored. Outputs are named after the app settings they feed (in
// UPPER_SNAKE, since `__` names are app settings, not valid azd output names); see
// scripts/write-local-settings.sh for the mapping to local.settings.json.
//
// Every parameter is set from the azd environment through main.parameters.json (`azd env set NAME value`,
// NAME being the app setting the parameter feeds, e.g. AUTH_AUDIENCE or WEB_AUTH_CLIENT_ID).
//
// The modules under app/ are written by hand rather than taken from Azure Verified Modules
// (br/public:avm/...): every resource property, app setting and role assignment stays in this repository
// as plain Bicep, where test/infra/infra.test.ts checks it against the code (it reads infra/ as text and
// cannot see inside registry modules).
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; used to name resources.')
param environmentName string

@minLength(1)
@description('Primary location for all resources (must offer Flex Consumption).')
param location string

@description('Object id of the deploying user or service principal (azd sets AZURE_PRINCIPAL_ID); it gets data access for local runs. Empty to skip.')
param principalId string = ''

// --- Bearer tokens (AUTH_*) ------------------------------------------------------------------------
@description('Audience (aud) the API accepts in bearer tokens: the Application ID URI of its app registration.')
param authAudience string = 'api://report-exports'

@description('Token issuer (AUTH_ISSUER). Empty: Microsoft Entra ID v2.0 of the tenant deployed to.')
param authIssuer string = ''

@description('JWKS URL of the issuer (AUTH_JWKS_URI). Empty: Microsoft Entra ID v2.0 keys of the tenant deployed to.')
param authJwksUri string = ''

@description('Delegated scope (scp) or app role (roles) every token must carry, else 403 (AUTH_REQUIRED_SCOPE). Empty: not checked.')
param authRequiredScope string = ''

@secure()
@description('Key of the HMAC on the list\'s continuation tokens (CONTINUATION_TOKEN_SECRET), e.g. `azd env set CONTINUATION_TOKEN_SECRET "$(openssl rand -hex 32)"`. Empty: a random one is generated at each provision.')
param continuationTokenSecret string = ''

// --- Sign-in on the web page (WEB_AUTH_*) ----------------------------------------------------------
@description('Client id of the single-page-application registration of the web page; turns on Entra ID sign-in. Empty: the page takes a pasted token.')
param webAuthClientId string = ''

@description('Authority of the sign-in on the web page, e.g. https://login.microsoftonline.com/<tenant id>. Empty: the tenant of the token issuer.')
param webAuthAuthority string = ''

@description('Scope the page asks tokens for. Empty: <audience>/.default.')
param webAuthScope string = ''

// --- Reports, queue and Function App ---------------------------------------------------------------
@description('Days a finished report and its file are kept (REPORT_RETENTION_DAYS and the blob lifecycle rule).')
@minValue(1)
@maxValue(3650)
param retentionDays int = 30

@description('Minutes a download link (SAS) stays valid (DOWNLOAD_LINK_MINUTES).')
@minValue(1)
@maxValue(60)
param downloadLinkMinutes int = 15

@description('Service Bus duplicate detection window of the report-requests queue, in minutes (Service Bus allows up to 7 days).')
@minValue(1)
@maxValue(10080)
param duplicateDetectionWindowMinutes int = 10

@description('Deliveries of a report request before it is dead-lettered.')
@minValue(1)
@maxValue(2000)
param maxDeliveryCount int = 10

@description('Peek-lock duration of the report-requests queue, in seconds (60 = PT1M).')
@minValue(5)
@maxValue(300)
param lockDurationSeconds int = 60

@description('Active (Pending/Processing) reports one user may have; beyond it POST answers 429 (USER_MAX_ACTIVE_REPORTS).')
@minValue(1)
@maxValue(10000)
param userMaxActiveReports int = 20

@description('Places: exports one tenant may have Processing at once, across all instances; more wait their turn (TENANT_MAX_ACTIVE_EXPORTS, 0: no cap). To let one tenant fill the app, the instance count times maxConcurrentCalls.')
@minValue(0)
@maxValue(10000)
param tenantMaxActiveExports int = 4

@description('Chunk messages one tenant may have out at once, shared by its chunked exports, across all instances (TENANT_CHUNK_WINDOW, 0: every chunk sent when planned).')
@minValue(0)
@maxValue(10000)
param tenantChunkWindow int = 4

// --- Operations ------------------------------------------------------------------------------------
@description('E-mail address the Azure Monitor alerts (dead letters, outbox backlog, failure ratio, function errors) are sent to (ALERT_EMAIL). Empty: the alerts fire without notifying anyone.')
param alertEmail string = ''

@description('Most instances the Function App scales out to (Flex Consumption: 40..1000); caps the cost of a burst.')
@minValue(40)
@maxValue(1000)
param functionMaximumInstanceCount int = 100

@description('Memory of each Function App instance, in MB (Flex Consumption sizes).')
@allowed([512, 2048, 4096])
param functionInstanceMemoryMB int = 2048

// Names the code uses (defaults in src/config.ts).
var cosmosDatabaseName = 'reportexports'
var cosmosReportsContainer = 'reports'
var cosmosLeasesContainer = 'leases'
var cosmosAlbumsContainer = 'albums'
var cosmosRatingsContainer = 'ratings'
var reportRequestsQueue = 'report-requests'
var reportEventsQueue = 'report-events'
var blobReportsContainer = 'reports'

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }
var functionAppName = '${abbrs.webSitesFunctions}api-${resourceToken}'
// Flex Consumption deployment packages go to this container of the storage account.
var deploymentContainerName = 'app-package-${take(functionAppName, 32)}-${take(resourceToken, 7)}'

// Unless given, tokens come from Microsoft Entra ID (v2.0) of the tenant the app is deployed to.
var entraIssuer = 'https://login.microsoftonline.com/${tenant().tenantId}/v2.0'
var effectiveAuthIssuer = empty(authIssuer) ? entraIssuer : authIssuer
var entraJwksUri = 'https://login.microsoftonline.com/${tenant().tenantId}/discovery/v2.0/keys'
var effectiveAuthJwksUri = empty(authJwksUri) ? entraJwksUri : authJwksUri

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: '${abbrs.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
}

module identity 'app/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: '${abbrs.managedIdentityUserAssignedIdentities}api-${resourceToken}'
    location: location
    tags: tags
  }
}

module monitoring 'app/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
    applicationInsightsName: '${abbrs.insightsComponents}${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'app/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: '${abbrs.storageStorageAccounts}${resourceToken}'
    location: location
    tags: tags
    reportsContainerName: blobReportsContainer
    deploymentContainerName: deploymentContainerName
    retentionDays: retentionDays
  }
}

module cosmos 'app/cosmos.bicep' = {
  name: 'cosmos'
  scope: rg
  params: {
    accountName: '${abbrs.documentDBDatabaseAccounts}${resourceToken}'
    location: location
    tags: tags
    databaseName: cosmosDatabaseName
    reportsContainerName: cosmosReportsContainer
    leasesContainerName: cosmosLeasesContainer
    albumsContainerName: cosmosAlbumsContainer
    ratingsContainerName: cosmosRatingsContainer
  }
}

module serviceBus 'app/servicebus.bicep' = {
  name: 'servicebus'
  scope: rg
  params: {
    name: '${abbrs.serviceBusNamespaces}${resourceToken}'
    location: location
    tags: tags
    queueName: reportRequestsQueue
    eventsQueueName: reportEventsQueue
    maxDeliveryCount: maxDeliveryCount
    lockDurationSeconds: lockDurationSeconds
    duplicateDetectionHistoryTimeWindow: 'PT${duplicateDetectionWindowMinutes}M'
  }
}

module rbac 'app/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    appPrincipalId: identity.outputs.principalId
    userPrincipalId: principalId
    storageAccountName: storage.outputs.name
    reportsContainerName: storage.outputs.reportsContainerName
    cosmosAccountName: cosmos.outputs.accountName
    serviceBusNamespaceName: serviceBus.outputs.name
    serviceBusQueueName: serviceBus.outputs.queueName
    serviceBusEventsQueueName: serviceBus.outputs.eventsQueueName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
  }
}

module alerts 'app/alerts.bicep' = {
  name: 'alerts'
  scope: rg
  params: {
    location: location
    tags: tags
    actionGroupName: '${abbrs.insightsActionGroups}ops-${resourceToken}'
    alertEmail: alertEmail
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    serviceBusNamespaceName: serviceBus.outputs.name
    serviceBusQueueName: serviceBus.outputs.queueName
  }
}

module workbook 'app/workbook.bicep' = {
  name: 'workbook'
  scope: rg
  params: {
    location: location
    tags: tags
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    serviceBusNamespaceName: serviceBus.outputs.name
    serviceBusQueueName: serviceBus.outputs.queueName
  }
}

module functionApp 'app/function-app.bicep' = {
  name: 'function-app'
  scope: rg
  // The host starts right away: let it find its storage, Cosmos and Service Bus roles in place.
  dependsOn: [rbac]
  params: {
    name: functionAppName
    planName: '${abbrs.webServerFarms}${resourceToken}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    storageBlobEndpoint: storage.outputs.blobEndpoint
    deploymentContainerName: storage.outputs.deploymentContainerName
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    cosmosAccountEndpoint: cosmos.outputs.endpoint
    cosmosDatabaseName: cosmos.outputs.databaseName
    cosmosReportsContainer: cosmosReportsContainer
    cosmosLeasesContainer: cosmosLeasesContainer
    cosmosAlbumsContainer: cosmosAlbumsContainer
    cosmosRatingsContainer: cosmosRatingsContainer
    serviceBusHostName: serviceBus.outputs.hostName
    serviceBusQueueName: serviceBus.outputs.queueName
    serviceBusEventsQueueName: serviceBus.outputs.eventsQueueName
    serviceBusMaxDeliveryCount: maxDeliveryCount
    serviceBusLockDurationSeconds: lockDurationSeconds
    serviceBusDuplicateDetectionWindowMinutes: duplicateDetectionWindowMinutes
    blobReportsContainer: storage.outputs.reportsContainerName
    retentionDays: retentionDays
    downloadLinkMinutes: downloadLinkMinutes
    userMaxActiveReports: userMaxActiveReports
    tenantMaxActiveExports: tenantMaxActiveExports
    tenantChunkWindow: tenantChunkWindow
    authIssuer: effectiveAuthIssuer
    authAudience: authAudience
    authJwksUri: effectiveAuthJwksUri
    authRequiredScope: authRequiredScope
    continuationTokenSecret: continuationTokenSecret
    webAuthClientId: webAuthClientId
    webAuthAuthority: webAuthAuthority
    webAuthScope: webAuthScope
    maximumInstanceCount: functionMaximumInstanceCount
    instanceMemoryMB: functionInstanceMemoryMB
  }
}

// --- Outputs (azd stores them in .azure/<env>/.env) ------------------------------------------------
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_FUNCTION_APP_URL string = 'https://${functionApp.outputs.defaultHostName}'
output AZURE_MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId

output COSMOS_ACCOUNT_ENDPOINT string = cosmos.outputs.endpoint
output COSMOS_DATABASE_NAME string = cosmos.outputs.databaseName
output COSMOS_REPORTS_CONTAINER string = cosmosReportsContainer
output COSMOS_LEASES_CONTAINER string = cosmosLeasesContainer
output COSMOS_ALBUMS_CONTAINER string = cosmosAlbumsContainer
output COSMOS_RATINGS_CONTAINER string = cosmosRatingsContainer

output SERVICEBUS_FULLY_QUALIFIED_NAMESPACE string = serviceBus.outputs.hostName
output SERVICEBUS_REPORT_REQUESTS_QUEUE string = serviceBus.outputs.queueName
output SERVICEBUS_REPORT_EVENTS_QUEUE string = serviceBus.outputs.eventsQueueName
output SERVICEBUS_MAX_DELIVERY_COUNT int = maxDeliveryCount
output SERVICEBUS_LOCK_DURATION_SECONDS int = lockDurationSeconds
output SERVICEBUS_DUPLICATE_DETECTION_WINDOW_MINUTES int = duplicateDetectionWindowMinutes

output BLOB_SERVICE_URI string = storage.outputs.blobEndpoint
output BLOB_REPORTS_CONTAINER string = storage.outputs.reportsContainerName
output REPORT_RETENTION_DAYS int = retentionDays
output DOWNLOAD_LINK_MINUTES int = downloadLinkMinutes

output AUTH_ISSUER string = effectiveAuthIssuer
output AUTH_AUDIENCE string = authAudience
output AUTH_JWKS_URI string = effectiveAuthJwksUri
output AUTH_REQUIRED_SCOPE string = authRequiredScope
output WEB_AUTH_CLIENT_ID string = webAuthClientId
output WEB_AUTH_AUTHORITY string = webAuthAuthority
output WEB_AUTH_SCOPE string = webAuthScope
output APPLICATIONINSIGHTS_CONNECTION_STRING string = monitoring.outputs.connectionString
