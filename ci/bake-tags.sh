#!/usr/bin/env bash
# Prints the image tags that the given bake targets produce, one a line, as
# `docker buildx bake --print` resolves them (through ci/bake.sh, so with the
# package versions): docker-bake.hcl stays the one place naming images.
#   bake-tags.sh TARGET...
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$#" -eq 0 ]; then
  echo "usage: bake-tags.sh TARGET..." >&2
  exit 2
fi
bash ci/bake.sh --print "$@" | jq -r '.target[] | .tags[]?'
