#!/usr/bin/env bash
# Installs the Debian packages `npm test` needs beyond Node, as .ci/run does on a developer's
# machine: Chromium (browser tests), Prometheus (the local end-to-end run), and the PostgreSQL and
# Redis binaries (fault tests start throwaway servers of their own; the shared servers are the CI
# job's service containers), and jq (the ci/ scripts, which packages/pipeline tests, read JSON
# with it). Needs root on Debian.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive
timeout 5m apt-get update -qq
timeout 15m apt-get install -y -qq --no-install-recommends \
  chromium fonts-dejavu-core prometheus postgresql redis-server jq shellcheck
