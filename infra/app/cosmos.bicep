// Cosmos DB for NoSQL, serverless, Microsoft Entra ID only (no account keys).
// Containers and partition keys match dev/provision.ts (what the local stand-ins get):
//   reports /tenantId (TTL on, per document: defaultTtl -1), leases /id (change feed leases),
//   albums /id and ratings /albumId (the source data the report types read).
param accountName string
param location string
param tags object = {}
param databaseName string
param reportsContainerName string
param leasesContainerName string
param albumsContainerName string
param ratingsContainerName string

resource account 'Microsoft.DocumentDB/databaseAccounts@2024-05-15' = {
  name: accountName
  location: location
  tags: tags
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    disableLocalAuth: true
    capabilities: [{ name: 'EnableServerless' }]
    consistencyPolicy: { defaultConsistencyLevel: 'Session' }
    locations: [
      {
        locationName: location
        failoverPriority: 0
        isZoneRedundant: false
      }
    ]
    publicNetworkAccess: 'Enabled'
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2024-05-15' = {
  parent: account
  name: databaseName
  properties: {
    resource: { id: databaseName }
  }
}

var containers = [
  { name: reportsContainerName, partitionKey: '/tenantId', defaultTtl: -1 }
  { name: leasesContainerName, partitionKey: '/id', defaultTtl: null }
  { name: albumsContainerName, partitionKey: '/id', defaultTtl: null }
  { name: ratingsContainerName, partitionKey: '/albumId', defaultTtl: null }
]

resource sqlContainers 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-05-15' = [
  for c in containers: {
    parent: database
    name: c.name
    properties: {
      // Serverless: no throughput options.
      resource: union(
        {
          id: c.name
          partitionKey: { paths: [c.partitionKey], kind: 'Hash' }
        },
        c.defaultTtl == null ? {} : { defaultTtl: c.defaultTtl }
      )
    }
  }
]

output accountName string = account.name
output accountId string = account.id
output endpoint string = account.properties.documentEndpoint
output databaseName string = database.name
