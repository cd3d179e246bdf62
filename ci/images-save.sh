#!/usr/bin/env bash
# Saves every service's image into OUT_DIR/images.tar and lists them in OUT_DIR/images.txt: the
# artifact the Kind jobs load (ci/images-load.sh). Run after `turbo run image`, with the same
# APPDIST_IMAGE_MODE: kind-<service> images (default), or the pushed <service> images.
#   images-save.sh OUT_DIR
set -euo pipefail
if [ "$#" -ne 1 ]; then
  echo "usage: images-save.sh OUT_DIR" >&2
  exit 2
fi
out=$(realpath -m "$1")
cd "$(dirname "$0")/.."

mode=${APPDIST_IMAGE_MODE:-kind}
targets=()
while read -r service; do
  case "$mode" in
    kind) targets+=("kind-$service") ;;
    push) targets+=("$service") ;;
    *)
      echo "images-save.sh: APPDIST_IMAGE_MODE is '$mode': use kind or push" >&2
      exit 2
      ;;
  esac
done < <(bash ci/services.sh)

mkdir -p "$out"
bash ci/bake-tags.sh "${targets[@]}" | sort -u >"$out/images.txt"
mapfile -t images <"$out/images.txt"
if [ "${#images[@]}" -eq 0 ]; then
  echo "images-save.sh: the bake targets ${targets[*]} name no image" >&2
  exit 1
fi
timeout 10m docker save --output "$out/images.tar" "${images[@]}"
echo "images-save.sh: saved ${#images[@]} images to $out/images.tar"
