// Service Bus (Standard: needed for duplicate detection), Microsoft Entra ID only (no SAS keys), and the
// report-requests queue with the options the app's config expects (SERVICEBUS_* settings), and the
// report-events queue (terminal transitions' events and their webhook deliveries' retries) with the same.
param name string
param location string
param tags object = {}
param queueName string
param eventsQueueName string

@minValue(1)
param maxDeliveryCount int

@description('Lock duration in seconds (5..300).')
@minValue(5)
@maxValue(300)
param lockDurationSeconds int

@description('Duplicate detection window, ISO 8601 (e.g. PT10M).')
param duplicateDetectionHistoryTimeWindow string

resource namespace 'Microsoft.ServiceBus/namespaces@2024-01-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: 'Standard'
    tier: 'Standard'
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
  }
}

resource queue 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' = {
  parent: namespace
  name: queueName
  properties: {
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: duplicateDetectionHistoryTimeWindow
    maxDeliveryCount: maxDeliveryCount
    lockDuration: 'PT${lockDurationSeconds}S'
    deadLetteringOnMessageExpiration: true
    requiresSession: false
  }
}

resource eventsQueue 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' = {
  parent: namespace
  name: eventsQueueName
  properties: {
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: duplicateDetectionHistoryTimeWindow
    maxDeliveryCount: maxDeliveryCount
    lockDuration: 'PT${lockDurationSeconds}S'
    deadLetteringOnMessageExpiration: true
    requiresSession: false
  }
}

output name string = namespace.name
output queueName string = queue.name
output eventsQueueName string = eventsQueue.name
// serviceBusEndpoint is https://<name>.servicebus.windows.net:443/ ; keep the host name only.
output hostName string = split(replace(namespace.properties.serviceBusEndpoint, 'https://', ''), ':')[0]
