#!/usr/bin/env bash
# Loads the images saved by ci/images-save.sh into Docker and checks that each listed one is there.
#   images-load.sh DIR        (DIR holds images.tar and images.txt)
set -euo pipefail
if [ "$#" -ne 1 ]; then
  echo "usage: images-load.sh DIR" >&2
  exit 2
fi
dir=$1

timeout 10m docker load --input "$dir/images.tar"
while read -r image; do
  if ! docker image inspect "$image" >/dev/null 2>&1; then
    echo "images-load.sh: $image is listed in $dir/images.txt but was not loaded" >&2
    exit 1
  fi
  echo "images-load.sh: $image"
done <"$dir/images.txt"
