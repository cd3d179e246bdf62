#!/usr/bin/env bash
# Prints, for every service, its name, the image the distribution runs for it and its package
# version, e.g. `backend ghcr.io/appdist/backend:1.2.0 1.3.0`. The image is read from what
# dist/app-kubernetes renders: the base pins every service image, and the mesh distributions
# render the same pins.
set -euo pipefail
cd "$(dirname "$0")/.."

rendered=$(npx --no-install appdist render app-kubernetes --format json)
while read -r service; do
  version=$(jq -r '.version' "services/$service/package.json")
  # Every container and init container image whose repository ends in /<service>.
  mapfile -t images < <(jq -r --arg service "$service" '
    [.. | objects | select(has("image")) | .image | strings
      | select(test("/" + $service + "([:@]|$)"))] | unique | .[]' <<<"$rendered")
  if [ "${#images[@]}" -ne 1 ]; then
    echo "service-images.sh: dist/app-kubernetes runs ${#images[@]} images for $service (${images[*]:-none}), expected one" >&2
    exit 1
  fi
  echo "$service ${images[0]} $version"
done < <(bash ci/services.sh)
