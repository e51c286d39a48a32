# Windows (PowerShell 7) variant of write-local-settings.sh: writes local.settings.json from the outputs of
# `azd provision`, with the same settings. See write-local-settings.sh for the details.
$ErrorActionPreference = 'Stop'
Set-Location (Join-Path $PSScriptRoot '..')

$values = azd env get-values --output json | ConvertFrom-Json

# Get NAME: the value of output NAME, empty when absent.
function Get-Output([string] $Name) {
  $property = $values.PSObject.Properties[$Name]
  if ($null -eq $property -or $null -eq $property.Value) { return '' }
  return [string] $property.Value
}

$settings = [ordered]@{
  FUNCTIONS_WORKER_RUNTIME = 'node'
  # The Functions host's own storage stays local (Azurite), as in local.settings.example.json.
  AzureWebJobsStorage      = 'UseDevelopmentStorage=true'
}

# Setting NAME OUTPUT [DEFAULT]: NAME from output OUTPUT (or DEFAULT); fails when both are empty.
function Add-Setting([string] $Name, [string] $Output, [string] $Default = '') {
  $value = Get-Output $Output
  if ($value -eq '') { $value = $Default }
  if ($value -eq '') { throw "write-local-settings: output $Output is missing; run 'azd provision' first" }
  $settings[$Name] = $value
}

# Like Add-Setting, but nothing is written when the output is empty.
function Add-OptionalSetting([string] $Name, [string] $Output) {
  $value = Get-Output $Output
  if ($value -ne '') { $settings[$Name] = $value }
}

Add-Setting COSMOS__accountEndpoint COSMOS_ACCOUNT_ENDPOINT
Add-Setting COSMOS_DATABASE_NAME COSMOS_DATABASE_NAME reportexports
Add-Setting COSMOS_REPORTS_CONTAINER COSMOS_REPORTS_CONTAINER reports
Add-Setting COSMOS_LEASES_CONTAINER COSMOS_LEASES_CONTAINER leases
Add-Setting COSMOS_ALBUMS_CONTAINER COSMOS_ALBUMS_CONTAINER albums
Add-Setting COSMOS_RATINGS_CONTAINER COSMOS_RATINGS_CONTAINER ratings
Add-Setting SERVICEBUS__fullyQualifiedNamespace SERVICEBUS_FULLY_QUALIFIED_NAMESPACE
Add-Setting SERVICEBUS_REPORT_REQUESTS_QUEUE SERVICEBUS_REPORT_REQUESTS_QUEUE report-requests
Add-Setting SERVICEBUS_MAX_DELIVERY_COUNT SERVICEBUS_MAX_DELIVERY_COUNT 10
Add-Setting SERVICEBUS_LOCK_DURATION_SECONDS SERVICEBUS_LOCK_DURATION_SECONDS 60
Add-Setting SERVICEBUS_DUPLICATE_DETECTION_WINDOW_MINUTES SERVICEBUS_DUPLICATE_DETECTION_WINDOW_MINUTES 10
Add-Setting BLOB__serviceUri BLOB_SERVICE_URI
Add-Setting BLOB_REPORTS_CONTAINER BLOB_REPORTS_CONTAINER reports
Add-Setting REPORT_RETENTION_DAYS REPORT_RETENTION_DAYS 30
Add-Setting DOWNLOAD_LINK_MINUTES DOWNLOAD_LINK_MINUTES 15
Add-Setting AUTH_ISSUER AUTH_ISSUER
Add-Setting AUTH_AUDIENCE AUTH_AUDIENCE
Add-Setting AUTH_JWKS_URI AUTH_JWKS_URI
Add-OptionalSetting AUTH_REQUIRED_SCOPE AUTH_REQUIRED_SCOPE
Add-OptionalSetting WEB_AUTH_CLIENT_ID WEB_AUTH_CLIENT_ID
Add-OptionalSetting WEB_AUTH_AUTHORITY WEB_AUTH_AUTHORITY
Add-OptionalSetting WEB_AUTH_SCOPE WEB_AUTH_SCOPE
# The continuation-token secret is this machine's own: kept from the previous file, else made afresh.
$tokenSecret = ''
if (Test-Path 'local.settings.json') {
  $tokenSecret = [string] (Get-Content -Raw 'local.settings.json' | ConvertFrom-Json).Values.CONTINUATION_TOKEN_SECRET
}
if ($tokenSecret -eq '') {
  $tokenSecret = [Convert]::ToHexString([System.Security.Cryptography.RandomNumberGenerator]::GetBytes(32)).ToLower()
}
$settings['CONTINUATION_TOKEN_SECRET'] = $tokenSecret
$settings['APPLICATIONINSIGHTS_CONNECTION_STRING'] = Get-Output APPLICATIONINSIGHTS_CONNECTION_STRING

$json = [ordered]@{
  IsEncrypted = $false
  Values      = $settings
  Host        = [ordered]@{ LocalHttpPort = 7071 }
} | ConvertTo-Json -Depth 5

$target = 'local.settings.json'
if ((Test-Path $target) -and ((Get-Content -Raw $target).TrimEnd() -ne $json.TrimEnd())) {
  Copy-Item $target "$target.bak" -Force
  Write-Host "write-local-settings: previous $target kept as $target.bak"
}
Set-Content -Path $target -Value $json -Encoding utf8NoBOM
Write-Host "write-local-settings: wrote $target from azd environment '$(Get-Output AZURE_ENV_NAME)'"
