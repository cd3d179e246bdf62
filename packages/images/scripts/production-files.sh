#!/usr/bin/env bash
# Copies what one service needs at run time out of an npm workspace into <dest>, keeping paths.
#
#   production-files.sh dependencies <workspace> <dest>   installed production dependencies
#   production-files.sh workspaces   <workspace> <dest>   package.json and dist/ of each workspace package
#   production-files.sh list         <workspace>          the closure's paths, copying nothing
#
# Run from the workspace root after `npm ci` (for `dependencies`, after `npm ci --omit=dev`). The
# closure is what `npm ls --omit=dev --workspace <workspace>` lists: the service's production
# dependencies, followed through the workspace packages it depends on. `npm ci --omit=dev` alone
# installs more: every workspace turbo prune kept is a root of the install, devDependency or not
# (packages/testing brings testcontainers and playwright-core), so the images take only this closure.
set -euo pipefail

usage() {
  echo "usage: production-files.sh dependencies|workspaces <workspace> <dest>, or list <workspace>" >&2
  exit 2
}
case "${1:-}:$#" in
  dependencies:3 | workspaces:3) mode=$1 workspace=$2 dest=$3 ;;
  list:2) mode=list workspace=$2 dest= ;;
  *) usage ;;
esac
root=$(pwd -P)

# --parseable prints one absolute path per package, the root itself first. A workspace package
# appears as its link under node_modules/; a package nested below another has a line of its own.
paths=$(npm ls --omit=dev --all --parseable --workspace "$workspace" | tail -n +2 | LC_ALL=C sort -u)
if [ -z "$paths" ]; then
  echo "production-files.sh: npm ls lists nothing for $workspace in $root" >&2
  exit 1
fi

if [ "$mode" = list ]; then
  while IFS= read -r path; do printf '%s\n' "${path#"$root"/}"; done <<< "$paths"
  exit 0
fi

mkdir -p "$dest"
declare -A copied=()
while IFS= read -r path; do
  relative=${path#"$root"/}
  if [ -L "$relative" ]; then
    if [ "$mode" = dependencies ]; then
      # Only the link: the package itself comes from the build stage, through `workspaces`.
      mkdir -p "$dest/${relative%/*}"
      cp -P "$relative" "$dest/$relative"
      continue
    fi
    package=$(realpath --relative-to="$root" "$relative")
    if [ ! -d "$package/dist" ]; then
      echo "production-files.sh: $package/dist does not exist: build $workspace first" >&2
      exit 1
    fi
    mkdir -p "$dest/$package"
    cp "$package/package.json" "$dest/$package/package.json"
    cp -R "$package/dist" "$dest/$package/dist"
  elif [ "$mode" = dependencies ]; then
    # A package nested below one already copied came with it.
    parent=$relative
    while [ "$parent" != "${parent%/*}" ]; do
      parent=${parent%/*}
      if [ -n "${copied[$parent]:-}" ]; then continue 2; fi
    done
    mkdir -p "$dest/${relative%/*}"
    cp -R "$relative" "$dest/$relative"
    copied[$relative]=1
  fi
done <<< "$paths"
