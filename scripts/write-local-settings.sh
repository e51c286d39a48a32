#!/bin/sh
# Writes local.settings.json from the outputs of `azd provision` (azd env get-values), so the app can
# run locally (`func start`) against the provisioned Azure resources with the developer's own identity
# (az login; the deploying principal gets data roles in infra/app/rbac.bicep).
#
# - Output names are UPPER_SNAKE (infra/main.bicep); they are mapped here to the app setting names,
#   e.g. COSMOS_ACCOUNT_ENDPOINT -> COSMOS__accountEndpoint.
# - No secret is written: all connections are identity-based. local.settings.json is git-ignored.
# - No __clientId / __credential locally: DefaultAzureCredential picks up the developer's login.
# - An existing local.settings.json (e.g. for the local stand-ins) is kept as local.settings.json.bak.
set -eu

cd "$(dirname "$0")/.."

values=$(azd env get-values)

# get NAME: the value of NAME in `azd env get-values` (lines NAME="value"), empty when absent.
get() {
  printf '%s\n' "$values" | sed -n "s/^$1=\"\{0,1\}\([^\"]*\)\"\{0,1\}\$/\1/p" | tail -n 1
}

# json_escape VALUE: escapes backslashes and double quotes for a JSON string.
json_escape() {
  printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g'
}

# setting NAME OUTPUT [DEFAULT]: one `"NAME": "value",` line from output OUTPUT (or DEFAULT).
setting() {
  value=$(get "$2")
  if [ -z "$value" ]; then value=${3:-}; fi
  if [ -z "$value" ]; then
    echo "write-local-settings: output $2 is missing; run 'azd provision' first" >&2
    exit 1
  fi
  printf '    "%s": "%s",\n' "$1" "$(json_escape "$value")"
}

# optional_setting NAME OUTPUT: like setting, but nothing is written when the output is empty.
optional_setting() {
  value=$(get "$2")
  if [ -n "$value" ]; then printf '    "%s": "%s",\n' "$1" "$(json_escape "$value")"; fi
}

target=local.settings.json
# The continuation-token secret is this machine's own: kept from the previous file, else made afresh.
token_secret=$(sed -n 's/^ *"CONTINUATION_TOKEN_SECRET": "\([^"]*\)".*$/\1/p' "$target" 2>/dev/null | head -n 1)
[ -n "$token_secret" ] || token_secret=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT

{
  printf '{\n  "IsEncrypted": false,\n  "Values": {\n'
  printf '    "FUNCTIONS_WORKER_RUNTIME": "node",\n'
  # The Functions host's own storage stays local (Azurite), as in local.settings.example.json.
  printf '    "AzureWebJobsStorage": "UseDevelopmentStorage=true",\n'
  setting COSMOS__accountEndpoint COSMOS_ACCOUNT_ENDPOINT
  setting COSMOS_DATABASE_NAME COSMOS_DATABASE_NAME reportexports
  setting COSMOS_REPORTS_CONTAINER COSMOS_REPORTS_CONTAINER reports
  setting COSMOS_LEASES_CONTAINER COSMOS_LEASES_CONTAINER leases
  setting COSMOS_ALBUMS_CONTAINER COSMOS_ALBUMS_CONTAINER albums
  setting COSMOS_RATINGS_CONTAINER COSMOS_RATINGS_CONTAINER ratings
  setting SERVICEBUS__fullyQualifiedNamespace SERVICEBUS_FULLY_QUALIFIED_NAMESPACE
  setting SERVICEBUS_REPORT_REQUESTS_QUEUE SERVICEBUS_REPORT_REQUESTS_QUEUE report-requests
  setting SERVICEBUS_MAX_DELIVERY_COUNT SERVICEBUS_MAX_DELIVERY_COUNT 10
  setting SERVICEBUS_LOCK_DURATION_SECONDS SERVICEBUS_LOCK_DURATION_SECONDS 60
  setting SERVICEBUS_DUPLICATE_DETECTION_WINDOW_MINUTES SERVICEBUS_DUPLICATE_DETECTION_WINDOW_MINUTES 10
  setting BLOB__serviceUri BLOB_SERVICE_URI
  setting BLOB_REPORTS_CONTAINER BLOB_REPORTS_CONTAINER reports
  setting REPORT_RETENTION_DAYS REPORT_RETENTION_DAYS 30
  setting DOWNLOAD_LINK_MINUTES DOWNLOAD_LINK_MINUTES 15
  setting AUTH_ISSUER AUTH_ISSUER
  setting AUTH_AUDIENCE AUTH_AUDIENCE
  setting AUTH_JWKS_URI AUTH_JWKS_URI
  optional_setting AUTH_REQUIRED_SCOPE AUTH_REQUIRED_SCOPE
  printf '    "CONTINUATION_TOKEN_SECRET": "%s",\n' "$token_secret"
  optional_setting WEB_AUTH_CLIENT_ID WEB_AUTH_CLIENT_ID
  optional_setting WEB_AUTH_AUTHORITY WEB_AUTH_AUTHORITY
  optional_setting WEB_AUTH_SCOPE WEB_AUTH_SCOPE
  # Last entry: no trailing comma.
  printf '    "APPLICATIONINSIGHTS_CONNECTION_STRING": "%s"\n' \
    "$(json_escape "$(get APPLICATIONINSIGHTS_CONNECTION_STRING)")"
  printf '  },\n  "Host": {\n    "LocalHttpPort": 7071\n  }\n}\n'
} >"$tmp"

if [ -f "$target" ] && ! cmp -s "$tmp" "$target"; then
  cp "$target" "$target.bak"
  echo "write-local-settings: previous $target kept as $target.bak"
fi
# Readable by the owner only, like any local configuration.
umask 077
cp "$tmp" "$target"
echo "write-local-settings: wrote $target from azd environment '$(get AZURE_ENV_NAME)'"
