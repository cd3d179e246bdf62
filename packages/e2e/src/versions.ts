/**
 * Every tool and upstream manifest the Kind end-to-end run installs, pinned here and nowhere
 * else: the steps build their URLs and arguments from this object, and a test checks that every
 * version string in a plan appears in this file. Each download is checked against the
 * `<url>.sha256` its release publishes beside it.
 *
 * Starting point: the versions of Flagger's own Kind e2e (fluxcd/flagger `.github/workflows/e2e.yaml`
 * and `test/*` at 15bd6ad5, see ../shared/research/flagger.md section 4).
 */
export const E2E_VERSIONS = {
  kind: {
    // Installed by the caller (helm/kind-action `install_only`, or a package manager); the
    // harness checks `kind version` before creating anything.
    version: 'v0.27.0',
  },
  kindNode: {
    // Pinned by digest as Flagger's e2e does: a tag can be re-pushed, a digest cannot.
    image: 'kindest/node:v1.35.1',
    digest: 'sha256:05d7bcdefbda08b4e038f644c4df690cdac3fba8b06f8289f30e10026720a1ab',
  },
  kubectl: {
    // Same minor as the node, so there is no client/server skew to think about.
    version: 'v1.35.1',
    url: 'https://dl.k8s.io/release/v1.35.1/bin/linux/amd64/kubectl',
  },
  istio: {
    version: '1.29.2',
    // The release archive, not only istioctl: it also holds samples/addons/prometheus.yaml of
    // the same release, so the Prometheus addon is pinned by the same checksum.
    url: 'https://github.com/istio/istio/releases/download/1.29.2/istio-1.29.2-linux-amd64.tar.gz',
    directory: 'istio-1.29.2',
    // demo, not minimal: the smoke test goes through the ingress gateway, which minimal lacks;
    // demo's resource requests are small enough for a one-node Kind cluster.
    profile: 'demo',
  },
  linkerd: {
    // Open-source Linkerd ships edge releases only since 2.15 (flagger.md P17): an edge tag,
    // recent enough to need (and accept) Gateway API CRDs installed before it.
    version: 'edge-26.9.3',
    url: 'https://github.com/linkerd/linkerd2/releases/download/edge-26.9.3/linkerd2-cli-edge-26.9.3-linux-amd64',
  },
  gatewayApi: {
    // Standard channel: serves HTTPRoute v1 and v1beta1 (the distribution's gatewayapi:v1beta1).
    version: 'v1.5.1',
    manifest:
      'https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.5.1/standard-install.yaml',
  },
  flagger: {
    version: 'v1.44.0',
    // Flagger's own kustomize overlays, as its e2e installs them: one per provider. Each pins
    // the image ghcr.io/fluxcd/flagger:1.44.0; `kubernetes` adds the bundled Prometheus.
    kustomize: {
      kubernetes: 'https://github.com/fluxcd/flagger//kustomize/kubernetes?ref=v1.44.0',
      istio: 'https://github.com/fluxcd/flagger//kustomize/istio?ref=v1.44.0',
      linkerd: 'https://github.com/fluxcd/flagger//kustomize/linkerd?ref=v1.44.0',
    },
  },
} as const;

export const KIND_NODE_IMAGE = `${E2E_VERSIONS.kindNode.image}@${E2E_VERSIONS.kindNode.digest}`;
