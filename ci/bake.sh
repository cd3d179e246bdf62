#!/usr/bin/env bash
# `docker buildx bake "$@"` from the repository root, with VERSIONS ({"<service>": "<semver>", …},
# read by docker-bake.hcl) taken from services/*/package.json unless already set: the versions
# live in the package.json files alone, so every tag is the version dist/ pins.
#   bake.sh [BAKE ARGS...]      e.g. bake.sh --print kind, bake.sh --push backend
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${VERSIONS:-}" ]; then
  VERSIONS=$(for manifest in services/*/package.json; do
    jq --arg service "$(basename "$(dirname "$manifest")")" '{($service): .version}' "$manifest"
  done | jq -cs 'add // {}')
fi
export VERSIONS
exec docker buildx bake "$@"
