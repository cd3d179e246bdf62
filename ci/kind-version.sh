#!/usr/bin/env bash
# Prints the kind version the Kind end-to-end harness requires, from packages/e2e/src/versions.ts
# (the one place its tools are pinned), as version=vX.Y.Z, also to $GITHUB_OUTPUT on GitHub
# Actions: the e2e workflow installs exactly that kind before the harness checks for it.
set -euo pipefail
cd "$(dirname "$0")/.."

# Node 24 runs the TypeScript source as it is (type stripping): no build needed first.
version=$(node --input-type=module --eval \
  "const { E2E_VERSIONS } = await import('./packages/e2e/src/versions.ts'); console.log(E2E_VERSIONS.kind.version);")
if [[ ! $version =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
  echo "kind-version.sh: packages/e2e/src/versions.ts pins kind '$version', not vX.Y.Z" >&2
  exit 1
fi
echo "version=$version"
if [ -n "${GITHUB_OUTPUT:-}" ]; then echo "version=$version" >>"$GITHUB_OUTPUT"; fi
