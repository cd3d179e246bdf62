#!/usr/bin/env bash
# `docker buildx bake "$@"` from the repository root, with VERSIONS ({"<service>": "<semver>", …},
# read by docker-bake.hcl) taken from services/<name>/package.json of each catalogue service
# (ci/services.sh, as `appdist images` does) unless already set: the versions live in the
# package.json files alone, so every tag is the version dist/ pins. The file is named, so an
# untracked docker-bake.override.hcl is not merged in unseen.
#   bake.sh [BAKE ARGS...]      e.g. bake.sh --print kind, bake.sh --push backend
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${VERSIONS:-}" ]; then
  VERSIONS=$(bash ci/services.sh | while read -r service; do
    jq --arg service "$service" '{($service): .version}' "services/$service/package.json"
  done | jq -cs 'add // {}')
fi
export VERSIONS
exec docker buildx bake --file docker-bake.hcl "$@"
