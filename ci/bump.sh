#!/usr/bin/env bash
# The turbo `bump` task, between `image` and `e2e`: dist/ must pin the tags the images were just
# built with (each service's version: docker-bake.hcl tags an image with it), so that the Kind runs
# deploy those images and the release tag names them. The pins move together with the versions,
# in the release commit `appdist release apply --no-tag` makes (kustomize edit set image): in CI
# that is the Version Packages pull request, before any image of the release is built. So on a
# commit of main or of a pull request this finds every pin in place and changes nothing; when one
# differs (a version edited by hand), it stops the pipeline before the Kind runs, saying how to pin.
set -euo pipefail
cd "$(dirname "$0")/.."

stale=0
while read -r service image version; do
  if [ "$image" != "${image%:*}:$version" ]; then
    echo "bump.sh: dist/ runs $image for $service, but its image is built as ${image%:*}:$version" >&2
    stale=1
  fi
done < <(bash ci/service-images.sh)
if [ "$stale" -ne 0 ]; then
  echo "bump.sh: pin the versions with \`npx appdist release apply --no-tag\` (it consumes the pending changesets), or undo the version change" >&2
  exit 1
fi
echo "bump.sh: dist/ pins the tag of every service image"
