#!/usr/bin/env bash
# The turbo `image` task of one service (turbo runs it in services/<name>; or give the name):
#   APPDIST_IMAGE_MODE=kind (default)  bake target kind-<name>: one platform, no attestations,
#                                      loaded into Docker, ready for `kind load`
#   APPDIST_IMAGE_MODE=push            bake target <name>: every platform, attested, pushed; then
#                                      pulled back for this machine's platform, so the Kind runs
#                                      test the very images that were pushed
set -euo pipefail
service=${1:-$(basename "$PWD")}
cd "$(dirname "$0")/.."

if [ ! -f "services/$service/package.json" ]; then
  echo "image.sh: no service '$service' under services/" >&2
  exit 2
fi

mode=${APPDIST_IMAGE_MODE:-kind}
case "$mode" in
  kind)
    bash ci/bake.sh --load "kind-$service"
    ;;
  push)
    bash ci/bake.sh --push "$service"
    platform=$(docker version --format '{{.Server.Os}}/{{.Server.Arch}}')
    while read -r tag; do
      timeout 10m docker pull --quiet --platform "$platform" "$tag"
    done < <(bash ci/bake-tags.sh "$service")
    ;;
  *)
    echo "image.sh: APPDIST_IMAGE_MODE is '$mode': use kind or push" >&2
    exit 2
    ;;
esac
