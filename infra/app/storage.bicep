// Storage account used for three things:
//   - the Functions host (AzureWebJobsStorage, identity-based: timer locks, host keys, ...),
//   - the Flex Consumption deployment package (blob container `deploymentContainerName`),
//   - the report files (blob container `reportsContainerName`, the app's `BLOB` connection).
// Shared keys are disabled: every client authenticates with Microsoft Entra ID, and download links are
// user delegation SAS (the app holds Storage Blob Delegator, see rbac.bicep).
param name string
param location string
param tags object = {}
param reportsContainerName string
param deploymentContainerName string

@minValue(1)
@description('Days a report file is kept; blobs under the reports container are deleted after this.')
param retentionDays int

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    defaultToOAuthAuthentication: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }

  resource blobServices 'blobServices' = {
    name: 'default'

    resource reports 'containers' = {
      name: reportsContainerName
      properties: { publicAccess: 'None' }
    }

    resource deployment 'containers' = {
      name: deploymentContainerName
      properties: { publicAccess: 'None' }
    }
  }

  // Report files expire with their report (REPORT_RETENTION_DAYS). The prefix starts with the container
  // name, so only blobs of the reports container are matched.
  resource lifecycle 'managementPolicies' = {
    name: 'default'
    properties: {
      policy: {
        rules: [
          {
            name: 'delete-expired-reports'
            enabled: true
            type: 'Lifecycle'
            definition: {
              filters: {
                blobTypes: ['blockBlob']
                prefixMatch: ['${reportsContainerName}/']
              }
              actions: {
                baseBlob: {
                  delete: { daysAfterModificationGreaterThan: retentionDays }
                }
              }
            }
          }
        ]
      }
    }
  }
}

output name string = storage.name
output id string = storage.id
output blobEndpoint string = storage.properties.primaryEndpoints.blob
output reportsContainerName string = storage::blobServices::reports.name
output deploymentContainerName string = storage::blobServices::deployment.name
