# The service images, built by `docker buildx bake` from the repository root.
#
#   docker buildx bake --print          what would be built, resolved (also: npx appdist images)
#   docker buildx bake --push           release: linux/amd64 + linux/arm64, SBOM and provenance, pushed
#   docker buildx bake kind --load      Kind e2e: linux/amd64 only, no attestations, into local Docker
#   docker buildx bake backend          one service
#   docker buildx bake validate         BuildKit's Dockerfile checks only, nothing built
#
# Every variable has a default, so these work with nothing set. The release group needs a
# docker-container builder (multi-platform, attestations) and write access to ${REGISTRY} for
# its cache; `kind` needs neither. packages/images reads this file (tests and `appdist images`),
# so keep to what it resolves: variables, `${VAR}` and `cond ? a : b`, inherits, groups.

variable "REGISTRY" {
  default = "ghcr.io/appdist"
}

# When set, replaces every service's version in the tags: CI images of an unreleased commit
# (TAG=sha-3f2c1e0), or a second tag for a Kind update. Empty: each service's own version.
variable "TAG" {
  default = ""
}

# Each service's semver, its package.json version: the tag dist/base/kustomization.yaml pins.
# A packages/images test fails when one differs from its package.json.
variable "FRONTEND_VERSION" {
  default = "0.1.0"
}

variable "BACKEND_VERSION" {
  default = "0.1.0"
}

variable "CACHE_VERSION" {
  default = "0.1.0"
}

variable "DATABASE_VERSION" {
  default = "0.1.0"
}

variable "TESTER_VERSION" {
  default = "0.1.0"
}

# The commit built: the image's org.opencontainers.image.revision label and what /version reports.
variable "GIT_COMMIT" {
  default = "unknown"
}

group "default" {
  targets = ["frontend", "backend", "cache", "database", "tester"]
}

group "kind" {
  targets = ["kind-frontend", "kind-backend", "kind-cache", "kind-database", "kind-tester"]
}

# What every release image shares. Labels are written once, in the Dockerfile, from the
# VERSION and GIT_COMMIT build args given here and per service.
target "_common" {
  context   = "."
  platforms = ["linux/amd64", "linux/arm64"]
  attest    = ["type=sbom", "type=provenance,mode=max"]
  args = {
    GIT_COMMIT = GIT_COMMIT
  }
}

target "frontend" {
  inherits   = ["_common"]
  dockerfile = "services/frontend/Dockerfile"
  args       = { VERSION = FRONTEND_VERSION }
  tags       = ["${REGISTRY}/frontend:${TAG != "" ? TAG : FRONTEND_VERSION}"]
  cache-from = ["type=registry,ref=${REGISTRY}/frontend:buildcache"]
  cache-to   = ["type=registry,ref=${REGISTRY}/frontend:buildcache,mode=max"]
}

target "backend" {
  inherits   = ["_common"]
  dockerfile = "services/backend/Dockerfile"
  args       = { VERSION = BACKEND_VERSION }
  tags       = ["${REGISTRY}/backend:${TAG != "" ? TAG : BACKEND_VERSION}"]
  cache-from = ["type=registry,ref=${REGISTRY}/backend:buildcache"]
  cache-to   = ["type=registry,ref=${REGISTRY}/backend:buildcache,mode=max"]
}

target "cache" {
  inherits   = ["_common"]
  dockerfile = "services/cache/Dockerfile"
  args       = { VERSION = CACHE_VERSION }
  tags       = ["${REGISTRY}/cache:${TAG != "" ? TAG : CACHE_VERSION}"]
  cache-from = ["type=registry,ref=${REGISTRY}/cache:buildcache"]
  cache-to   = ["type=registry,ref=${REGISTRY}/cache:buildcache,mode=max"]
}

target "database" {
  inherits   = ["_common"]
  dockerfile = "services/database/Dockerfile"
  args       = { VERSION = DATABASE_VERSION }
  tags       = ["${REGISTRY}/database:${TAG != "" ? TAG : DATABASE_VERSION}"]
  cache-from = ["type=registry,ref=${REGISTRY}/database:buildcache"]
  cache-to   = ["type=registry,ref=${REGISTRY}/database:buildcache,mode=max"]
}

target "tester" {
  inherits   = ["_common"]
  dockerfile = "services/tester/Dockerfile"
  args       = { VERSION = TESTER_VERSION }
  tags       = ["${REGISTRY}/tester:${TAG != "" ? TAG : TESTER_VERSION}"]
  cache-from = ["type=registry,ref=${REGISTRY}/tester:buildcache"]
  cache-to   = ["type=registry,ref=${REGISTRY}/tester:buildcache,mode=max"]
}

# The five Dockerfiles are one file (a packages/images test holds them to it), so checking one
# runs BuildKit's lint rules for all: `docker buildx bake validate` builds nothing.
target "validate" {
  dockerfile = "services/backend/Dockerfile"
  call       = "check"
}

# Kind e2e: each release target with the same image name and tag (what dist/ pins, so the
# distributions apply unchanged), for one platform, loaded into the local Docker image store.
# `kind load docker-image` can fail on a multi-platform index carrying attestation manifests
# (kind #3845, #4066). Bake merges `attest` across `inherits` by type, so an empty list would
# keep the release's SBOM and provenance: they are disabled by type instead, which also turns
# off buildx's default provenance. The registry cache is read (cache-from merges too) but not
# written (cache-to is replaced), so no registry login is needed.
target "_kind" {
  platforms = ["linux/amd64"]
  attest    = ["type=sbom,disabled=true", "type=provenance,disabled=true"]
  cache-to  = []
  output    = ["type=docker"]
}

target "kind-frontend" {
  inherits = ["frontend", "_kind"]
}

target "kind-backend" {
  inherits = ["backend", "_kind"]
}

target "kind-cache" {
  inherits = ["cache", "_kind"]
}

target "kind-database" {
  inherits = ["database", "_kind"]
}

target "kind-tester" {
  inherits = ["tester", "_kind"]
}
