// Azure Monitor alerts an operator acts on, all sent to one action group (e-mail from the azd parameter
// alertEmail):
// - a report request reached the dead-letter queue (Service Bus platform metric);
// - the oldest outbox document not yet relayed to Service Bus is older than 5 minutes (the app's custom
//   metric outbox.oldest_undispatched_age, written after every outbox sweep);
// - the share of finished reports that Failed is over a threshold (custom metrics reports.failed and
//   reports.completed);
// - function invocations fail (Application Insights requests with success == false).
// The metric names are the ones src/telemetry/metrics.ts exports; test/infra/infra.test.ts checks them.
@description('Re-drives of stalled work in an hour above which the re-drive alert fires (they mean messages leave the queue unprocessed).')
param redriveThreshold int = 5

param location string
param tags object = {}
param actionGroupName string
@description('E-mail address of the operator the alerts go to. Empty: the action group has no receiver.')
param alertEmail string = ''
param applicationInsightsName string
param serviceBusNamespaceName string
param serviceBusQueueName string
@description('Alert when more than this share of finished reports Failed over the window (0..1).')
param failureRatioThreshold string = '0.1'
@description('Alert when the oldest undispatched outbox document is older than this many seconds.')
param outboxAgeThresholdSeconds int = 300

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource serviceBusNamespace 'Microsoft.ServiceBus/namespaces@2022-10-01-preview' existing = {
  name: serviceBusNamespaceName
}

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: actionGroupName
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'reportops'
    enabled: true
    emailReceivers: empty(alertEmail)
      ? []
      : [
          {
            name: 'operator'
            emailAddress: alertEmail
            useCommonAlertSchema: true
          }
        ]
  }
}

resource deadLetterAlert 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: 'report-requests-dead-lettered'
  location: 'global'
  tags: tags
  properties: {
    description: 'A report request message reached the dead-letter queue: its report is Failed (DeadLettered). Read the message and its DeadLetterReason.'
    severity: 2
    enabled: true
    scopes: [serviceBusNamespace.id]
    evaluationFrequency: 'PT1M'
    windowSize: 'PT5M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'deadLettered'
          metricNamespace: 'Microsoft.ServiceBus/namespaces'
          metricName: 'DeadletteredMessages'
          dimensions: [
            {
              name: 'EntityName'
              operator: 'Include'
              values: [serviceBusQueueName]
            }
          ]
          operator: 'GreaterThan'
          threshold: 0
          timeAggregation: 'Maximum'
        }
      ]
    }
    actions: [{ actionGroupId: actionGroup.id }]
  }
}

resource outboxAgeAlert 'Microsoft.Insights/scheduledQueryRules@2023-03-15-preview' = {
  name: 'outbox-backlog'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    description: 'An outbox document has waited more than ${outboxAgeThresholdSeconds} s to be relayed to Service Bus: the relay or Service Bus is failing. Reports stay Pending until it recovers; nothing is lost.'
    severity: 2
    enabled: true
    scopes: [applicationInsights.id]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT10M'
    criteria: {
      allOf: [
        {
          query: 'customMetrics | where name == "outbox.oldest_undispatched_age" | summarize ageSeconds = max(valueMax) by bin(timestamp, 5m)'
          timeAggregation: 'Maximum'
          metricMeasureColumn: 'ageSeconds'
          operator: 'GreaterThan'
          threshold: outboxAgeThresholdSeconds
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: [actionGroup.id]
    }
  }
}

resource redriveAlert 'Microsoft.Insights/scheduledQueryRules@2023-03-15-preview' = {
  name: 'work-redriven'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    description: 'The watchdog sent stalled work again more than ${redriveThreshold} times in an hour: messages are leaving the report-requests queue unprocessed (time to live, a purge, a deleted message). Each such report was sent again or failed as Stranded; look for what removes messages.'
    severity: 2
    enabled: true
    scopes: [applicationInsights.id]
    evaluationFrequency: 'PT15M'
    windowSize: 'PT1H'
    criteria: {
      allOf: [
        {
          query: 'customMetrics | where name == "exports.redriven" | summarize redriven = sum(valueSum) by bin(timestamp, 1h)'
          timeAggregation: 'Total'
          metricMeasureColumn: 'redriven'
          operator: 'GreaterThan'
          threshold: redriveThreshold
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: [actionGroup.id]
    }
  }
}

resource failureRatioAlert 'Microsoft.Insights/scheduledQueryRules@2023-03-15-preview' = {
  name: 'report-failure-ratio'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    description: 'More than ${failureRatioThreshold} of the reports that finished in the last 15 minutes Failed. The workbook breaks failures down by error code and report type.'
    severity: 2
    enabled: true
    scopes: [applicationInsights.id]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: 'customMetrics | where name in ("reports.failed", "reports.completed") | summarize failed = sumif(valueSum, name == "reports.failed"), finished = sum(valueSum) | where finished >= 5 | extend failureRatio = failed / finished'
          timeAggregation: 'Maximum'
          metricMeasureColumn: 'failureRatio'
          operator: 'GreaterThan'
          threshold: json(failureRatioThreshold)
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: [actionGroup.id]
    }
  }
}

resource functionErrorsAlert 'Microsoft.Insights/scheduledQueryRules@2023-03-15-preview' = {
  name: 'function-errors'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    description: 'Function invocations failed (an unhandled error: a store or broker outage, a defect). Their exceptions are in Application Insights, with the operation id of the trace.'
    severity: 3
    enabled: true
    scopes: [applicationInsights.id]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT5M'
    criteria: {
      allOf: [
        {
          // Client errors (4xx answers of the API: 401, 404, 429, ...) are not failures of the service.
          query: 'requests | where success == false | extend code = toint(resultCode) | where isnull(code) or code < 400 or code >= 500 | summarize failedInvocations = count() by operation_Name'
          timeAggregation: 'Total'
          metricMeasureColumn: 'failedInvocations'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: [actionGroup.id]
    }
  }
}

output actionGroupId string = actionGroup.id
