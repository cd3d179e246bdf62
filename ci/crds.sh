#!/usr/bin/env bash
# Fetches the pinned upstream CRDs `appdist validate` checks Flagger, Gateway API and Linkerd SMI
# objects against (packages/validation/scripts/fetch-crds.sh) into DIR, and on GitHub Actions
# exports APPDIST_CRDS_DIR to the later steps: a fresh clone has no ../shared/crds beside it.
#   crds.sh [DIR]     (default: $RUNNER_TEMP/crds, else .cache/crds)
set -euo pipefail
dir=$(realpath -m "${1:-${RUNNER_TEMP:-.cache}/crds}")
cd "$(dirname "$0")/.."

bash packages/validation/scripts/fetch-crds.sh "$dir"
if [ -n "${GITHUB_ENV:-}" ]; then echo "APPDIST_CRDS_DIR=$dir" >>"$GITHUB_ENV"; fi
echo "crds.sh: APPDIST_CRDS_DIR=$dir"
