#!/usr/bin/env bash
# The turbo `release` task, the last step: tags the commit that passed the Kind runs. In order,
# stopping at the first failure:
#  1. every service image the distribution pins must be in the registry: a tag never names an
#     image nobody can pull (turbo's `image` task pushes only with APPDIST_IMAGE_MODE=push);
#  2. `appdist release tag` makes the annotated tag of the release CHANGELOG.md names last, at
#     HEAD, after checking that HEAD pins the versions it declares;
#  3. the tag is pushed to RELEASE_REMOTE (default origin), then the GitHub release is created
#     with the tag's message (the release notes) as its notes.
set -euo pipefail
cd "$(dirname "$0")/.."

remote=${RELEASE_REMOTE:-origin}

# An annotated tag names its tagger. On a CI runner nobody has configured one; a maintainer's own
# identity is kept.
if [ "${CI:-}" = true ] && ! git config user.email >/dev/null; then
  git config user.name 'github-actions[bot]'
  git config user.email '41898282+github-actions[bot]@users.noreply.github.com'
fi

while read -r service image _version; do
  if ! timeout 2m docker buildx imagetools inspect "$image" >/dev/null; then
    echo "release-publish.sh: $image ($service) is not in the registry; push it first" >&2
    exit 1
  fi
done < <(bash ci/service-images.sh)

tag=$(npx --no-install appdist release tag --format json | jq -r '.version')
if [ "$(git cat-file -t "refs/tags/$tag" 2>/dev/null)" != tag ]; then
  echo "release-publish.sh: appdist release tag made no annotated tag '$tag'" >&2
  exit 1
fi
timeout 5m git push "$remote" "refs/tags/$tag"
timeout 5m gh release create "$tag" --verify-tag --title "$tag" --notes-from-tag
echo "release-publish.sh: released $tag"
