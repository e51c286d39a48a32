// Data-plane role assignments. The app identity gets exactly what the code and the Functions host use;
// the deploying principal (azd's AZURE_PRINCIPAL_ID, optional) gets data access so the app can also be
// run locally against the provisioned resources with `az login` credentials.
param appPrincipalId string
@description('Object id of the deploying user or service principal; empty to skip its assignments.')
param userPrincipalId string = ''

param storageAccountName string
param reportsContainerName string
param cosmosAccountName string
param serviceBusNamespaceName string
param serviceBusQueueName string
param serviceBusEventsQueueName string
param applicationInsightsName string

// Built-in role definition ids (the same in every tenant).
var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  storageBlobDelegator: 'db58b8e5-c6ad-4a2a-8342-4190687cbf4a'
  serviceBusDataSender: '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'
  serviceBusDataReceiver: '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0'
  serviceBusDataOwner: '090c5cfd-751d-490a-894a-3ce6f1109419'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}
// Cosmos DB data-plane role (not an Azure RBAC role): Cosmos DB Built-in Data Contributor.
var cosmosDataContributorRoleId = '00000000-0000-0000-0000-000000000002'

var withUser = !empty(userPrincipalId)

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName

  resource blobServices 'blobServices' existing = {
    name: 'default'

    resource reports 'containers' existing = {
      name: reportsContainerName
    }
  }
}

resource cosmos 'Microsoft.DocumentDB/databaseAccounts@2024-05-15' existing = {
  name: cosmosAccountName
}

resource serviceBus 'Microsoft.ServiceBus/namespaces@2024-01-01' existing = {
  name: serviceBusNamespaceName

  resource queue 'queues' existing = {
    name: serviceBusQueueName
  }

  resource eventsQueue 'queues' existing = {
    name: serviceBusEventsQueueName
  }
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

// --- Storage -------------------------------------------------------------------------------------

// Functions host (AzureWebJobsStorage) and Flex deployment package: Blob Data Owner on the account.
resource appBlobOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: storage
  name: guid(storage.id, appPrincipalId, roles.storageBlobDataOwner)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataOwner)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Report files: read/write in the reports container (kept explicit so the app's own need survives a
// change of the host storage role).
resource appBlobContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: storage::blobServices::reports
  name: guid(storage::blobServices::reports.id, appPrincipalId, roles.storageBlobDataContributor)
  properties: {
    roleDefinitionId: subscriptionResourceId(
      'Microsoft.Authorization/roleDefinitions',
      roles.storageBlobDataContributor
    )
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Download links are user delegation SAS: getting the delegation key is an account-level action.
resource appBlobDelegator 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: storage
  name: guid(storage.id, appPrincipalId, roles.storageBlobDelegator)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDelegator)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource userBlobContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (withUser) {
  scope: storage
  name: guid(storage.id, userPrincipalId, roles.storageBlobDataContributor)
  properties: {
    roleDefinitionId: subscriptionResourceId(
      'Microsoft.Authorization/roleDefinitions',
      roles.storageBlobDataContributor
    )
    principalId: userPrincipalId
  }
}

resource userBlobDelegator 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (withUser) {
  scope: storage
  name: guid(storage.id, userPrincipalId, roles.storageBlobDelegator)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDelegator)
    principalId: userPrincipalId
  }
}

// --- Service Bus (scoped to the queue; covers its dead-letter sub-queue) ----------------------------
// Sender (outbox relay and sweeper) and Receiver (export worker, dead-letter trigger) are what the code
// uses. Data Owner on the same queue is for scaling: Flex Consumption scales a Service Bus trigger on the
// queue's message count (target-based scaling), which the Functions Service Bus extension reads through the
// administration API (queue runtime properties; ServiceBusTargetScaler in
// Microsoft.Azure.WebJobs.Extensions.ServiceBus). That read needs the Manage right; without it the target
// scaler reports itself not supported and scaling falls back to peeking the oldest message. The Azure
// Functions Service Bus trigger reference ("Grant permission to the identity") lists Azure Service Bus Data
// Receiver and Azure Service Bus Data Owner for the trigger, and the Flex Consumption Service Bus azd
// quickstart (functions-quickstart-typescript-azd-service-bus) grants both, on the namespace. Here Data
// Owner is kept to this one queue.

resource appQueueSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: serviceBus::queue
  name: guid(serviceBus::queue.id, appPrincipalId, roles.serviceBusDataSender)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.serviceBusDataSender)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource appQueueReceiver 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: serviceBus::queue
  name: guid(serviceBus::queue.id, appPrincipalId, roles.serviceBusDataReceiver)
  properties: {
    roleDefinitionId: subscriptionResourceId(
      'Microsoft.Authorization/roleDefinitions',
      roles.serviceBusDataReceiver
    )
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource appQueueOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: serviceBus::queue
  name: guid(serviceBus::queue.id, appPrincipalId, roles.serviceBusDataOwner)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.serviceBusDataOwner)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource userQueueSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (withUser) {
  scope: serviceBus::queue
  name: guid(serviceBus::queue.id, userPrincipalId, roles.serviceBusDataSender)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.serviceBusDataSender)
    principalId: userPrincipalId
  }
}

resource userQueueReceiver 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (withUser) {
  scope: serviceBus::queue
  name: guid(serviceBus::queue.id, userPrincipalId, roles.serviceBusDataReceiver)
  properties: {
    roleDefinitionId: subscriptionResourceId(
      'Microsoft.Authorization/roleDefinitions',
      roles.serviceBusDataReceiver
    )
    principalId: userPrincipalId
  }
}

// --- Cosmos DB (data-plane SQL role assignments, account scope) ----------------------------------

resource appCosmosData 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-05-15' = {
  parent: cosmos
  name: guid(cosmos.id, appPrincipalId, cosmosDataContributorRoleId)
  properties: {
    roleDefinitionId: '${cosmos.id}/sqlRoleDefinitions/${cosmosDataContributorRoleId}'
    principalId: appPrincipalId
    scope: cosmos.id
  }
}

resource userCosmosData 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-05-15' = if (withUser) {
  parent: cosmos
  name: guid(cosmos.id, userPrincipalId, cosmosDataContributorRoleId)
  properties: {
    roleDefinitionId: '${cosmos.id}/sqlRoleDefinitions/${cosmosDataContributorRoleId}'
    principalId: userPrincipalId
    scope: cosmos.id
  }
}

// --- Application Insights (identity-based ingestion) ---------------------------------------------

resource appMetricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: applicationInsights
  name: guid(applicationInsights.id, appPrincipalId, roles.monitoringMetricsPublisher)
  properties: {
    roleDefinitionId: subscriptionResourceId(
      'Microsoft.Authorization/roleDefinitions',
      roles.monitoringMetricsPublisher
    )
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// The report-events queue: the relay sends events, webhookDelivery receives them and schedules its
// retries on it; Data Owner for target-based scaling, as above.
resource appEventsQueueSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: serviceBus::eventsQueue
  name: guid(serviceBus::eventsQueue.id, appPrincipalId, roles.serviceBusDataSender)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.serviceBusDataSender)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource appEventsQueueReceiver 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: serviceBus::eventsQueue
  name: guid(serviceBus::eventsQueue.id, appPrincipalId, roles.serviceBusDataReceiver)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.serviceBusDataReceiver)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource appEventsQueueOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: serviceBus::eventsQueue
  name: guid(serviceBus::eventsQueue.id, appPrincipalId, roles.serviceBusDataOwner)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.serviceBusDataOwner)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}
