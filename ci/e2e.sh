#!/usr/bin/env bash
# The Kind end-to-end run of each named distribution (default: every dist/app-*), one after the
# other, through the harness: `appdist e2e --dist <name>` with
#  - the images this machine built or loaded: `--image <service>=<ref>` for each ref listed in the
#    file APPDIST_E2E_IMAGES (ci/images-save.sh writes it), else the tags of the kind-<service>
#    bake targets (ci/image.sh builds them);
#  - its diagnostics under APPDIST_E2E_ARTIFACTS/<name> (default e2e-artifacts/<name>);
#  - a bound of APPDIST_E2E_TIMEOUT (default 45m), after which the harness gets SIGTERM (it then
#    collects and deletes its cluster) and five minutes later SIGKILL.
# A harness killed before its own collection leaves its Kind cluster behind: `kind export logs`
# saves that cluster's logs under the same folder.
#   e2e.sh [DIST...]
set -euo pipefail
cd "$(dirname "$0")/.."

artifacts=$(realpath -m "${APPDIST_E2E_ARTIFACTS:-e2e-artifacts}")
limit=${APPDIST_E2E_TIMEOUT:-45m}

if [ "$#" -eq 0 ]; then
  for dir in dist/app-*/; do
    set -- "$@" "$(basename "$dir")"
  done
fi
for dist in "$@"; do
  if [ ! -d "dist/$dist" ]; then
    echo "e2e.sh: no distribution dist/$dist" >&2
    exit 2
  fi
done

mapfile -t services < <(bash ci/services.sh)
if [ -n "${APPDIST_E2E_IMAGES:-}" ]; then
  mapfile -t refs <"$APPDIST_E2E_IMAGES"
else
  mapfile -t refs < <(bash ci/bake-tags.sh "${services[@]/#/kind-}")
fi
image_args=()
for ref in "${refs[@]}"; do
  name=${ref%:*}
  for service in "${services[@]}"; do
    if [ "${name##*/}" = "$service" ]; then image_args+=(--image "$service=$ref"); fi
  done
done
if [ "${#image_args[@]}" -ne $((2 * ${#services[@]})) ]; then
  echo "e2e.sh: expected one image for each of ${services[*]}, got: ${refs[*]:-none}" >&2
  exit 2
fi

for dist in "$@"; do
  echo "e2e.sh: $dist"
  if ! timeout --kill-after=5m "$limit" \
    npx --no-install appdist e2e --dist "$dist" --artifacts "$artifacts/$dist" "${image_args[@]}"; then
    while read -r cluster; do
      [ -n "$cluster" ] || continue
      timeout 5m kind export logs "$artifacts/$dist/left-behind/$cluster" --name "$cluster" || true
    done < <(timeout 60s kind get clusters 2>/dev/null || true)
    echo "e2e.sh: $dist failed; diagnostics under $artifacts/$dist" >&2
    exit 1
  fi
done
