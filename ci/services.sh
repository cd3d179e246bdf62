#!/usr/bin/env bash
# Prints the services, one a line, as packages/catalogue lists them: the image and release scripts
# take their lists from here, so a new service needs no edit in ci/.
set -euo pipefail
cd "$(dirname "$0")/.."

# Node 24 runs the TypeScript source as it is (type stripping): no build needed first.
node --input-type=module --eval \
  "const { SERVICE_NAMES } = await import('./packages/catalogue/src/catalogue.ts'); console.log(SERVICE_NAMES.join('\n'));"
