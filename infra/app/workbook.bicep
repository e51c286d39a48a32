// An Azure Monitor workbook for exports, on the Application Insights resource: throughput, latency
// percentiles, failures, queue depth and waits, and the outbox backlog. It reads the app's custom metrics
// (src/telemetry/metrics.ts), its export spans (the `requests` named "export", with the report's type and
// format as custom dimensions) and the Service Bus queue's platform metrics.
param location string
param tags object = {}
param applicationInsightsName string
param serviceBusNamespaceName string
param serviceBusQueueName string

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource serviceBusNamespace 'Microsoft.ServiceBus/namespaces@2022-10-01-preview' existing = {
  name: serviceBusNamespaceName
}

var timeRange = {
  id: 'timeRange'
  version: 'KqlParameterItem/1.0'
  name: 'TimeRange'
  type: 4
  isRequired: true
  value: { durationMs: 86400000 }
  typeSettings: { selectableValues: [{ durationMs: 3600000 }, { durationMs: 86400000 }, { durationMs: 604800000 }] }
}

// One Log Analytics query tile on the Application Insights resource.
var queryTiles = [
  {
    title: 'Throughput: reports created and finished'
    chart: 'timechart'
    query: 'customMetrics | where name in ("reports.created", "reports.completed", "reports.failed", "reports.cancelled") | summarize count = sum(valueSum) by name, bin(timestamp, {TimeRange:grain})'
  }
  {
    title: 'Export latency percentiles (s), completed exports'
    chart: 'timechart'
    query: 'requests | where name == "export" and tostring(customDimensions.outcome) == "completed" | summarize p50 = percentile(duration, 50) / 1000, p95 = percentile(duration, 95) / 1000, p99 = percentile(duration, 99) / 1000 by bin(timestamp, {TimeRange:grain})'
  }
  {
    title: 'POST to first claim: queue wait (s, mean and max)'
    chart: 'timechart'
    query: 'customMetrics | where name == "exports.queue_wait" | summarize mean = sum(valueSum) / sum(valueCount), max = max(valueMax) by bin(timestamp, {TimeRange:grain})'
  }
  {
    title: 'Rows per second of completed exports, by report type'
    chart: 'timechart'
    query: 'customMetrics | where name == "exports.rows_per_second" | extend reportType = tostring(customDimensions.reportType) | summarize rowsPerSecond = sum(valueSum) / sum(valueCount) by reportType, bin(timestamp, {TimeRange:grain})'
  }
  {
    title: 'Failures by error code and report type'
    chart: 'table'
    query: 'customMetrics | where name == "reports.failed" | summarize failed = sum(valueSum) by errorCode = tostring(customDimensions.errorCode), reportType = tostring(customDimensions.reportType), format = tostring(customDimensions.format) | order by failed desc'
  }
  {
    title: 'Dead-lettered requests and fair-share deferrals'
    chart: 'timechart'
    query: 'customMetrics | where name in ("exports.dead_lettered", "exports.deferred", "exports.redriven") | summarize count = sum(valueSum) by name, bin(timestamp, {TimeRange:grain})'
  }
  {
    title: 'Oldest undispatched outbox document (s)'
    chart: 'timechart'
    query: 'customMetrics | where name == "outbox.oldest_undispatched_age" | summarize ageSeconds = max(valueMax) by bin(timestamp, {TimeRange:grain})'
  }
]

var queryItems = [
  for (tile, i) in queryTiles: {
    type: 3
    name: 'tile-${i}'
    content: {
      version: 'KqlItem/1.0'
      title: tile.title
      query: tile.query
      queryType: 0
      resourceType: 'microsoft.insights/components'
      visualization: tile.chart
      timeContextFromParameter: 'TimeRange'
    }
    customWidth: '50'
  }
]

// Queue depth: the report-requests queue's active, scheduled (deferred and retries) and dead-lettered
// messages, from Service Bus's own metrics.
var queueDepthItem = {
  type: 10
  name: 'queue-depth'
  content: {
    version: 'MetricsItem/2.0'
    title: 'Queue depth: report-requests'
    size: 0
    chartType: 2
    resourceType: 'microsoft.servicebus/namespaces'
    metricScope: 0
    resourceIds: [serviceBusNamespace.id]
    timeContextFromParameter: 'TimeRange'
    metrics: [
      for metric in ['ActiveMessages', 'ScheduledMessages', 'DeadletteredMessages']: {
        namespace: 'microsoft.servicebus/namespaces'
        metric: 'microsoft.servicebus/namespaces--${metric}'
        aggregation: 3
      }
    ]
    filters: [{ key: 'EntityName', operator: 0, values: [serviceBusQueueName] }]
  }
  customWidth: '50'
}

var workbookContent = {
  version: 'Notebook/1.0'
  items: concat(
    [
      {
        type: 9
        name: 'parameters'
        content: { version: 'KqlParameterItem/1.0', parameters: [timeRange] }
      }
    ],
    queryItems,
    [queueDepthItem]
  )
  fallbackResourceIds: [applicationInsights.id]
}

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  name: guid(resourceGroup().id, applicationInsights.id, 'report-exports-workbook')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: 'Report exports'
    category: 'workbook'
    sourceId: applicationInsights.id
    serializedData: string(workbookContent)
  }
}

output workbookId string = workbook.id
