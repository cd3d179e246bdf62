# The service images, built by `docker buildx bake` from the repository root, through ci/bake.sh:
#
#   bash ci/bake.sh --print             what would be built, resolved
#   bash ci/bake.sh --push              release: linux/amd64 + linux/arm64, SBOM and provenance, pushed
#   bash ci/bake.sh kind --load         Kind e2e: linux/amd64 only, no attestations, into local Docker
#   bash ci/bake.sh backend             one service
#   bash ci/bake.sh validate            BuildKit's Dockerfile checks only, nothing built
#
# ci/bake.sh runs bake with VERSIONS set from the services' package.json files; the scripts and
# workflows call it, so every tag is the version dist/ pins. Every variable has a default, so a
# plain `docker buildx bake` also works with nothing set, but tags 0.0.0-dev. The release targets
# need a docker-container builder (multi-platform, attestations) and write access to ${REGISTRY}
# for their cache; `kind` needs neither.

variable "REGISTRY" {
  default = "ghcr.io/appdist"
}

# Each service's semver, as JSON ({"backend": "1.2.0", …}): the tag dist/base/kustomization.yaml
# pins. ci/bake.sh reads it from services/*/package.json, so no version is written twice.
variable "VERSIONS" {
  default = "{}"
}

# When set, replaces every service's version in the tags: CI images of an unreleased commit
# (TAG=sha-3f2c1e0), or a second tag for a Kind update.
variable "TAG" {
  default = ""
}

# The commit built: the image's org.opencontainers.image.revision label and what /version reports.
variable "GIT_COMMIT" {
  default = "unknown"
}

# The services, as packages/catalogue lists them (`appdist images --check` holds this list to it).
# Bake reads every variable from the environment and cannot parse a list there: the name is one
# no environment sets by accident (a plain SERVICES would break bake wherever one exists).
variable "APPDIST_SERVICES" {
  default = ["frontend", "backend", "cache", "database", "tester"]
}

function "version" {
  params = [service]
  result = lookup(jsondecode(VERSIONS), service, "0.0.0-dev")
}

group "default" {
  targets = APPDIST_SERVICES
}

group "kind" {
  targets = [for service in APPDIST_SERVICES : "kind-${service}"]
}

# One release target per service from one Dockerfile; labels are written once, in the
# Dockerfile, from the SERVICE, VERSION and GIT_COMMIT build args given here.
target "service" {
  name       = service
  matrix     = { service = APPDIST_SERVICES }
  context    = "."
  dockerfile = "services/Dockerfile"
  platforms  = ["linux/amd64", "linux/arm64"]
  attest     = ["type=sbom", "type=provenance,mode=max"]
  args = {
    SERVICE    = service
    VERSION    = version(service)
    GIT_COMMIT = GIT_COMMIT
  }
  tags       = ["${REGISTRY}/${service}:${TAG != "" ? TAG : version(service)}"]
  cache-from = ["type=registry,ref=${REGISTRY}/${service}:buildcache"]
  cache-to   = ["type=registry,ref=${REGISTRY}/${service}:buildcache,mode=max"]
}

# Kind e2e: each release target with the same image name and tag (what dist/ pins, so the
# distributions apply unchanged), for one platform, loaded into the local Docker image store.
# `kind load docker-image` can fail on a multi-platform index carrying attestation manifests
# (kind #3845, #4066). Bake merges `attest` across `inherits` by type, so an empty list would
# keep the release's SBOM and provenance: they are disabled by type instead, which also turns
# off buildx's default provenance. The registry cache is read (cache-from merges too) but not
# written (cache-to is replaced), so no registry login is needed.
target "kind-service" {
  name      = "kind-${service}"
  matrix    = { service = APPDIST_SERVICES }
  inherits  = [service]
  platforms = ["linux/amd64"]
  attest    = ["type=sbom,disabled=true", "type=provenance,disabled=true"]
  cache-to  = []
  output    = ["type=docker"]
}

# BuildKit's lint rules for the one Dockerfile: `docker buildx bake validate` builds nothing.
target "validate" {
  dockerfile = "services/Dockerfile"
  args       = { SERVICE = "backend" }
  call       = "check"
}
