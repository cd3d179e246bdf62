#!/usr/bin/env bash
# Prints the deployable services, one a line: every folder of services/ with a package.json. The
# image and release scripts take their lists from here, so a new service needs no edit in ci/.
set -euo pipefail
cd "$(dirname "$0")/.."

for manifest in services/*/package.json; do
  [ -e "$manifest" ] || continue
  basename "$(dirname "$manifest")"
done
