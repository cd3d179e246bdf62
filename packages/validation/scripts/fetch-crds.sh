#!/usr/bin/env bash
# Downloads the pinned upstream CRDs `appdist validate` checks Flagger, Gateway API and Linkerd
# SMI objects against, into DIR (default: ./crds), laid out as ../shared/crds is:
#   DIR/flagger/crd.yaml  DIR/gateway-api/…httproutes.yaml  DIR/linkerd-smi/…trafficsplits….yaml
# Then: APPDIST_CRDS_DIR=DIR npm run validate   (or appdist validate --crds DIR)
set -euo pipefail

FLAGGER_VERSION=v1.44.0
GATEWAY_API_VERSION=v1.5.1
LINKERD_SMI_VERSION=v0.2.7

dir=${1:-crds}

# path | url | sha256 ("-" where the pinned tag's bytes have not been checked against a copy)
files=(
  "flagger/crd.yaml|https://raw.githubusercontent.com/fluxcd/flagger/${FLAGGER_VERSION}/artifacts/flagger/crd.yaml|-"
  "gateway-api/gateway.networking.k8s.io_httproutes.yaml|https://raw.githubusercontent.com/kubernetes-sigs/gateway-api/${GATEWAY_API_VERSION}/config/crd/standard/gateway.networking.k8s.io_httproutes.yaml|682203b109baecb18d38073a578f7bc2c17d22fe9b0c27bf030850abe014c370"
  "linkerd-smi/trafficsplits.split.smi-spec.io.yaml|https://raw.githubusercontent.com/linkerd/linkerd-smi/${LINKERD_SMI_VERSION}/charts/linkerd-smi/templates/trafficsplit-crd.yaml|81910b40cf47757a3f4a301b190687b49cca69048e510b1dabfc20f1ffbe8565"
)

for entry in "${files[@]}"; do
  IFS='|' read -r path url sha <<<"$entry"
  target="$dir/$path"
  mkdir -p "$(dirname "$target")"
  # Download beside the target and rename, so an interrupted run leaves no half file behind.
  curl --fail --silent --show-error --location --retry 3 --connect-timeout 10 --max-time 120 \
    --output "$target.part" "$url"
  if [ "$sha" != "-" ]; then
    actual=$(sha256sum "$target.part" | cut -d' ' -f1)
    if [ "$actual" != "$sha" ]; then
      rm -f "$target.part"
      echo "fetch-crds: $url has sha256 $actual, expected $sha" >&2
      exit 1
    fi
  fi
  mv "$target.part" "$target"
  echo "fetch-crds: $target"
done
