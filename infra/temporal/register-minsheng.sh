#!/bin/sh
# One-shot, run by compose.yaml's `temporal-admin-tools` service (temporalio/admin-tools image)
# once the Temporal server is up: creates Minsheng's Temporal namespace and registers the case
# search attributes that the Web UI filters on and the workflow upserts. Idempotent: an existing
# namespace is left as it is, and the server skips attributes that already exist.
#
# The attribute list must match minsheng/temporal.py (ALL_KEYS; a test checks it): a workflow that upserts an
# unregistered attribute fails its workflow task until the attribute exists.
# Environment: TEMPORAL_ADDRESS, MINSHENG_TEMPORAL_NAMESPACE, TEMPORAL_NAMESPACE_RETENTION.
set -eu

: "${TEMPORAL_ADDRESS:?}" "${MINSHENG_TEMPORAL_NAMESPACE:?}"
NAMESPACE="$MINSHENG_TEMPORAL_NAMESPACE"
RETENTION="${TEMPORAL_NAMESPACE_RETENTION:-30d}"

attempts=0
until temporal operator cluster health --address "$TEMPORAL_ADDRESS"; do
  attempts=$((attempts + 1))
  [ "$attempts" -lt 60 ] || { echo "Temporal at $TEMPORAL_ADDRESS is not healthy" >&2; exit 1; }
  sleep 2
done

if temporal operator namespace describe --address "$TEMPORAL_ADDRESS" --namespace "$NAMESPACE" > /dev/null 2>&1; then
  echo "namespace $NAMESPACE exists (its retention is not changed here)"
else
  temporal operator namespace create --address "$TEMPORAL_ADDRESS" --namespace "$NAMESPACE" \
    --retention "$RETENTION" --description "Minsheng citizen-request cases"
fi

# A new namespace takes a moment to reach every frontend's cache: wait until it answers.
attempts=0
until temporal operator search-attribute list --address "$TEMPORAL_ADDRESS" --namespace "$NAMESPACE" > /dev/null 2>&1; do
  attempts=$((attempts + 1))
  [ "$attempts" -lt 60 ] || { echo "namespace $NAMESPACE did not become ready" >&2; exit 1; }
  sleep 2
done

# One attribute per call: the CLI's --type takes a single type per call.
register() {
  temporal operator search-attribute create --address "$TEMPORAL_ADDRESS" --namespace "$NAMESPACE" \
    --name "$1" --type "$2"
}
register CaseStatus Keyword
register CaseTier Keyword
register CaseUnit Keyword
register CaseDomain Keyword
register CaseChannel Keyword
register CaseKind Keyword
register CaseDeadline Datetime
register CaseCitizenDeadline Datetime
register CaseOverdue Bool
register CaseWaitingOn KeywordList

temporal operator search-attribute list --address "$TEMPORAL_ADDRESS" --namespace "$NAMESPACE"
echo "temporal-admin-tools: namespace $NAMESPACE and case search attributes ready"
