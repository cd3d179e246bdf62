#!/usr/bin/env bash
# What changesets/action runs to make the Version Packages pull request. `appdist release apply
# --no-tag` consumes the changesets into one release commit: service versions and changelogs, the
# image tags pinned in dist/base (kustomize edit set image), and CHANGELOG.md with the next
# distribution version (ci/bake.sh reads the versions from package.json, so the bake file holds none). The lockfile records each workspace's version,
# so it joins that commit. The tag comes later, once the merged commit passed the Kind runs.
set -euo pipefail
cd "$(dirname "$0")/.."

npx --no-install appdist release apply --no-tag
npm install --package-lock-only --ignore-scripts --no-audit --no-fund
if ! git diff --quiet -- package-lock.json; then
  git commit --quiet --amend --no-edit -- package-lock.json
fi
