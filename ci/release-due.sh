#!/usr/bin/env bash
# Says whether a release is due: HEAD carries a prepared release that is not tagged yet, as the
# merged Version Packages pull request does (`appdist release apply --no-tag` moved the versions,
# the pins in dist/ and CHANGELOG.md together). The release tool decides, with
# `appdist release tag --dry-run`: "nothing to release" and "tagged already" mean not due; any
# other refusal (HEAD pins other tags than its versions, say) fails the run.
# Prints due=… and version=… last, also to $GITHUB_OUTPUT on GitHub Actions.
set -euo pipefail
cd "$(dirname "$0")/.."

status=0
answer=$(npx --no-install appdist release tag --dry-run --format json) || status=$?
if [ "$status" -eq 0 ]; then
  due=true
  version=$(jq -r '.version' <<<"$answer")
else
  reason=$(jq -r '.error.reason // empty' <<<"$answer" 2>/dev/null || true)
  case "$reason" in
    nothing-to-release | tag-exists)
      due=false
      version=
      ;;
    *)
      echo "release-due.sh: appdist release tag --dry-run refused (${reason:-no reason given})" >&2
      exit 1
      ;;
  esac
fi

echo "due=$due"
echo "version=$version"
if [ -n "${GITHUB_OUTPUT:-}" ]; then printf 'due=%s\nversion=%s\n' "$due" "$version" >>"$GITHUB_OUTPUT"; fi
