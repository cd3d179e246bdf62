import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { DISTRIBUTIONS, SERVICE_NAMES } from '@appdist/catalogue';
import { build } from '@appdist/kustomize/kustomize';
import { afterAll, describe, expect, it } from 'vitest';
import type { E2EImages } from '../src/images.js';
import { type E2EPlan, formatPlan, planE2E } from '../src/plan.js';
import { E2E_VERSIONS, KIND_NODE_IMAGE } from '../src/versions.js';
import { commandLines, planSections, REPO_ROOT, temporaryDir } from './helpers.js';

/** Images as a CI job would pass them: a local registry with a port, a PR tag. */
const LOCAL_IMAGES: E2EImages = {
  frontend: 'localhost:5000/appdist/frontend:pr-42',
  backend: 'localhost:5000/appdist/backend:pr-42',
  cache: 'localhost:5000/appdist/cache:pr-42',
  database: 'localhost:5000/appdist/database:pr-42',
  tester: 'localhost:5000/appdist/tester:pr-42',
};

interface PlannedRun {
  artifacts: string;
  plan: E2EPlan;
  text: string;
}

// Planning renders with real kustomize (about a second); the tests only read a plan, so each
// distribution is planned once, into a folder kept until the file's tests are done.
const planned = new Map<string, Promise<PlannedRun>>();
const folders: string[] = [];
afterAll(async () => {
  await Promise.all(folders.map((dir) => rm(dir, { recursive: true, force: true })));
});

function planFor(dist: string): Promise<PlannedRun> {
  let run = planned.get(dist);
  if (!run) {
    run = (async () => {
      const artifacts = await mkdtemp(join(tmpdir(), `appdist-e2e-plan-${dist}-`));
      folders.push(artifacts);
      const plan = await planE2E({ dist, images: LOCAL_IMAGES, artifacts, root: REPO_ROOT });
      return { artifacts, plan, text: formatPlan(plan) };
    })();
    planned.set(dist, run);
  }
  return run;
}

function indexOf(lines: readonly string[], fragment: string): number {
  const index = lines.findIndex((line) => line.includes(fragment));
  if (index === -1) throw new Error(`no line contains ${fragment}`);
  return index;
}

/** Deployment name → its containers' images, rendered for real by kustomize. */
async function renderedImages(overlayDir: string): Promise<Map<string, string[]>> {
  const images = new Map<string, string[]>();
  for (const object of await build(overlayDir)) {
    if (object.kind !== 'Deployment' && object.kind !== 'StatefulSet') continue;
    const spec = object.spec as { template: { spec: { containers: Array<{ image: string }> } } };
    images.set(
      object.metadata.name,
      spec.template.spec.containers.map((container) => container.image),
    );
  }
  return images;
}

describe.each(DISTRIBUTIONS)('the plan for %s', (dist) => {
  it('creates the Kind cluster with the pinned node image before anything touches a cluster', async () => {
    const { text, artifacts } = await planFor(dist);
    const sections = planSections(text);
    expect([...sections.keys()].slice(0, 2)).toEqual(['tools', 'cluster']);
    const clusterName = dist.replace('app-', 'appdist-');
    expect(sections.get('cluster')?.[0]).toBe(
      `kind create cluster --name ${clusterName} --image ${KIND_NODE_IMAGE} --config ${join(artifacts, 'kind-config.yaml')} --wait 300s`,
    );
    // What runs before it only fetches and checks tools.
    for (const line of sections.get('tools') ?? []) {
      expect(line).toMatch(
        /^(mkdir|kind version|curl|echo|chmod|tar|ln|kubectl version|istioctl version|linkerd version)/,
      );
    }
    const config = await readFile(join(artifacts, 'kind-config.yaml'), 'utf8');
    expect(config).toContain(`name: ${clusterName}\n`);
    expect(config).toContain(`image: ${KIND_NODE_IMAGE}\n`);
  });

  it('downloads every tool and checks its checksum before using it', async () => {
    const tools = planSections((await planFor(dist)).text).get('tools') ?? [];
    const downloads = tools.filter(
      (line) => line.startsWith('curl ') && !line.includes('.sha256 '),
    );
    expect(downloads.length).toBe(dist === 'app-kubernetes' ? 1 : 2);
    for (const download of downloads) {
      // curl -fsSL --retry 3 -o <target> <url>
      const target = download.split(' ')[5] ?? '';
      expect(tools).toContainEqual(expect.stringMatching(/^curl .*\.sha256 https:\/\/.*\.sha256$/));
      const check = tools.findIndex((line) =>
        line.endsWith(`  ${target}" | sha256sum --check --strict`),
      );
      expect(check).toBeGreaterThan(tools.indexOf(download));
      tools.forEach((line, index) => {
        if (/^(chmod|tar|ln) /.test(line) && line.includes(target))
          expect(index).toBeGreaterThan(check);
      });
    }
  });

  it('loads every image and applies a manifest rendered with exactly those images', async () => {
    const { plan, text, artifacts } = await planFor(dist);
    const lines = commandLines(text);
    for (const service of SERVICE_NAMES) {
      expect(lines).toContain(
        `kind load docker-image ${LOCAL_IMAGES[service]} --name ${plan.clusterName}`,
      );
    }
    const manifest = join(artifacts, 'rendered', `${dist}.yaml`);
    expect(lines).toContain(`kubectl apply -f ${manifest}`);
    // Loading precedes applying: pods must find the images in the node.
    expect(indexOf(lines, 'kind load docker-image')).toBeLessThan(
      lines.indexOf(`kubectl apply -f ${manifest}`),
    );

    const yaml = await readFile(manifest, 'utf8');
    for (const service of SERVICE_NAMES) {
      expect(yaml).toContain(`image: ${LOCAL_IMAGES[service]}\n`);
    }
    expect(yaml).not.toContain('ghcr.io/appdist/');
    // The file is what kustomize renders from the overlay: render it again here and compare.
    const images = await renderedImages(plan.app.overlayDir);
    for (const service of SERVICE_NAMES)
      expect(images.get(service)).toEqual([LOCAL_IMAGES[service]]);
    expect(images.get('redis')?.[0]).toMatch(/^docker\.io\/library\/redis:/);
    const overlay = await readFile(join(plan.app.overlayDir, 'kustomization.yaml'), 'utf8');
    expect(overlay).toContain(
      `resources:\n  - ${JSON.stringify(relative(plan.app.overlayDir, join(REPO_ROOT, 'dist', dist)))}\n`,
    );
    expect(overlay).toContain(
      'name: "ghcr.io/appdist/backend"\n    newName: "localhost:5000/appdist/backend"\n    newTag: "pr-42"\n',
    );
  });

  it('waits for every Canary Initialized and every primary ready, each wait bounded', async () => {
    const { text } = await planFor(dist);
    const deploy = planSections(text).get('deploy') ?? [];
    const poll = deploy.find((line) => line.includes('get canaries'));
    expect(poll).toMatch(
      /# poll: at most 60 × 10s until frontend Initialized, backend Initialized, cache Initialized, database Initialized \(stop on/,
    );
    for (const service of ['frontend', 'backend', 'cache', 'database']) {
      expect(deploy).toContain(
        `kubectl -n app rollout status deployment/${service}-primary --timeout=300s`,
      );
    }
    for (const line of commandLines(text)) {
      if (line.includes(' rollout status ')) expect(line).toMatch(/--timeout=\d+s$/);
      if (line.includes(' wait ')) expect(line).toMatch(/--timeout=\d+s/);
      const bound = /# poll: at most (\d+) × (\d+)s/.exec(line);
      if (bound) expect(Number(bound[1]) * Number(bound[2])).toBeLessThanOrEqual(600);
    }
  });

  it("runs every conformance suite through the tester with Flagger's payload, then a smoke test", async () => {
    const { text } = await planFor(dist);
    const sections = planSections(text);
    const conformance = sections.get('conformance') ?? [];
    expect(conformance[0]).toMatch(/^kubectl -n app port-forward service\/tester 18090:80 > .* &/);
    for (const service of ['frontend', 'backend', 'cache', 'database']) {
      const payload = {
        name: service,
        namespace: 'app',
        phase: 'Progressing',
        checksum: 'appdist-e2e',
        metadata: { service, url: `http://${service}-primary.app:8080` },
      };
      expect(conformance).toContainEqual(
        expect.stringContaining(
          `-d '${JSON.stringify(payload)}' http://127.0.0.1:18090/hooks/conformance  # expect output 200`,
        ),
      );
    }
    const smoke = sections.get('smoke') ?? [];
    expect(smoke.join('\n')).toContain('/api/links  # expect output 201');
    expect(smoke.join('\n')).toContain(
      'http://127.0.0.1:18080/e2e-smoke  # expect output 302 https://example.com/appdist-e2e',
    );
  });

  it('promotes a good frontend and cache release and rolls back a bad backend one', async () => {
    const { text, plan } = await planFor(dist);
    const sections = planSections(text);
    const promote = sections.get('promote') ?? [];
    const release = 'localhost:5000/appdist/cache:pr-42-release2';
    expect(promote.slice(0, 4)).toEqual([
      'kubectl -n app set env deployment/frontend --containers=frontend APPDIST_RELEASE=2',
      `docker tag ${LOCAL_IMAGES.cache} ${release}`,
      `kind load docker-image ${release} --name ${plan.clusterName}`,
      `kubectl -n app set image deployment/cache cache=${release}`,
    ]);
    expect(promote[4]).toContain(
      'until frontend Succeeded, cache Succeeded (stop on frontend Failed, cache Failed)',
    );
    expect(promote[6]).toContain(`# expect output ${release}`);

    const rollback = sections.get('rollback') ?? [];
    expect(rollback[0]).toBe(
      'kubectl -n app set env deployment/backend --containers=backend FAULT_ERROR_RATE=1',
    );
    expect(rollback[1]).toContain('until backend Failed (stop on backend Succeeded)');
    expect(rollback[2]).toBe(
      `kubectl -n app get deployment/backend-primary -o 'jsonpath={.spec.template.spec.containers[?(@.name=="backend")].image}'  # expect output ${LOCAL_IMAGES.backend}`,
    );
    expect(rollback[3]).toContain('# expect no FAULT_ERROR_RATE in the output');
  });

  it("ends with artifact collection and the cluster's deletion", async () => {
    const { text, artifacts, plan } = await planFor(dist);
    const headers = text.split('\n').filter((line) => line.startsWith('## '));
    expect(headers.at(-2)).toMatch(/collect: .* \(only when a step failed\)$/);
    expect(headers.at(-1)).toMatch(/teardown: .* \(always, unless --keep-cluster\)$/);
    const collect = planSections(text).get('collect') ?? [];
    const collected = join(artifacts, 'collected');
    for (const file of ['events.txt', 'flagger.log', 'canaries.yaml', 'app-pods.log']) {
      expect(collect).toContainEqual(
        expect.stringContaining(`> ${join(collected, file)}  # best effort`),
      );
    }
    expect(collect.find((line) => line.includes('flagger.log'))).toContain(
      `-n ${dist === 'app-istio' ? 'istio-system' : 'flagger-system'} logs deployment/flagger`,
    );
    expect(planSections(text).get('teardown')).toEqual([
      `kind delete cluster --name ${plan.clusterName}  # best effort`,
    ]);
  });

  it('prints the same plan for the same inputs, without timestamps', async () => {
    const artifacts = await temporaryDir();
    const first = formatPlan(await planE2E({ dist, artifacts, root: REPO_ROOT }));
    const second = formatPlan(await planE2E({ dist, artifacts, root: REPO_ROOT }));
    expect(second).toBe(first);
    expect(first).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
  });
});

describe('the mesh and Flagger of each distribution', () => {
  it('app-istio: istioctl with the pinned profile and the addon Prometheus, then Flagger for Istio', async () => {
    const { text } = await planFor('app-istio');
    const lines = commandLines(text);
    const install = indexOf(
      lines,
      `istioctl install --skip-confirmation --set profile=${E2E_VERSIONS.istio.profile}`,
    );
    const prometheus = indexOf(
      lines,
      `${E2E_VERSIONS.istio.directory}/samples/addons/prometheus.yaml`,
    );
    const flagger = indexOf(lines, `kubectl apply -k '${E2E_VERSIONS.flagger.kustomize.istio}'`);
    expect(install).toBeLessThan(prometheus);
    expect(prometheus).toBeLessThan(flagger);
    expect(lines).toContain(
      'kubectl -n istio-system rollout status deployment/flagger --timeout=300s',
    );
    expect(text).not.toMatch(/linkerd|gateway-api|kustomize\/kubernetes/);
    expect(text).toContain('## 4. flagger: v1.44.0, kustomize/istio (provider istio,');
  });

  it('app-linkerd: Gateway API CRDs, then Linkerd CRDs, control plane and viz, then Flagger for gatewayapi:v1beta1', async () => {
    const { text, plan } = await planFor('app-linkerd');
    const lines = commandLines(text);
    const gatewayApi = indexOf(
      lines,
      'kubectl apply --server-side -f https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.5.1/standard-install.yaml',
    );
    const crds = lines.indexOf('linkerd install --crds | kubectl apply -f -');
    const controlPlane = lines.indexOf('linkerd install | kubectl apply -f -');
    const viz = lines.indexOf('linkerd viz install | kubectl apply -f -');
    const flagger = indexOf(lines, `kubectl apply -k '${E2E_VERSIONS.flagger.kustomize.linkerd}'`);
    expect(gatewayApi).toBeLessThan(crds);
    expect(crds).toBeLessThan(controlPlane);
    expect(controlPlane).toBeLessThan(viz);
    expect(viz).toBeLessThan(flagger);
    expect(text).toContain('kustomize/linkerd (provider gatewayapi:v1beta1');
    expect(text).not.toMatch(/istioctl|kustomize\/kubernetes/);
    // The provider Flagger runs with is the one the distribution's Canaries ask for.
    expect(new Set(plan.app.canaries.map((canary) => canary.provider))).toEqual(
      new Set(['gatewayapi:v1beta1']),
    );
  });

  it('app-kubernetes: Flagger for Kubernetes with its own Prometheus, and never a mesh', async () => {
    const { text, plan } = await planFor('app-kubernetes');
    const sections = planSections(text);
    expect(sections.has('mesh')).toBe(false);
    expect(sections.get('flagger')).toEqual([
      `kubectl apply -k '${E2E_VERSIONS.flagger.kustomize.kubernetes}'`,
      'kubectl wait --for=condition=Established crd/canaries.flagger.app crd/metrictemplates.flagger.app --timeout=60s',
      'kubectl -n flagger-system rollout status deployment/flagger --timeout=300s',
      'kubectl -n flagger-system rollout status deployment/flagger-prometheus --timeout=300s',
    ]);
    expect(text).not.toMatch(/istio|linkerd|gateway-api/i);
    expect(new Set(plan.app.canaries.map((canary) => canary.provider))).toEqual(
      new Set(['kubernetes']),
    );
  });
});

describe('images nobody names', () => {
  it('are the ones dist/ pins, or those names with --tag: what docker buildx bake kind builds', async () => {
    const pinned = await build(join(REPO_ROOT, 'dist', 'app-kubernetes'));
    const pinnedImage = (service: string) => {
      const deployment = pinned.find(
        (object) => object.kind === 'Deployment' && object.metadata.name === service,
      );
      const spec = deployment?.spec as {
        template: { spec: { containers: Array<{ image: string }> } };
      };
      return spec.template.spec.containers[0]?.image ?? '';
    };
    const plain = await planE2E({
      dist: 'app-kubernetes',
      artifacts: await temporaryDir(),
      root: REPO_ROOT,
    });
    for (const service of SERVICE_NAMES) {
      expect(plain.app.images[service]).toBe(pinnedImage(service));
      expect(plain.app.images[service]).toMatch(new RegExp(`^ghcr\\.io/appdist/${service}:`));
    }
    const tagged = await planE2E({
      dist: 'app-kubernetes',
      artifacts: await temporaryDir(),
      root: REPO_ROOT,
      images: { backend: 'localhost:5000/backend:mine' },
      tag: 'sha-3f2c1e0',
    });
    expect(tagged.app.images).toEqual({
      frontend: 'ghcr.io/appdist/frontend:sha-3f2c1e0',
      backend: 'localhost:5000/backend:mine',
      cache: 'ghcr.io/appdist/cache:sha-3f2c1e0',
      database: 'ghcr.io/appdist/database:sha-3f2c1e0',
      tester: 'ghcr.io/appdist/tester:sha-3f2c1e0',
    });
    expect(await readFile(tagged.app.manifest, 'utf8')).toContain(
      'image: ghcr.io/appdist/tester:sha-3f2c1e0\n',
    );
  });
});

describe('a dist/ pinning another registry', () => {
  it('gets its images replaced by the names it renders', async () => {
    const root = await temporaryDir();
    const dist = join(root, 'dist', 'app-kubernetes');
    await mkdir(dist, { recursive: true });
    const mirrored = SERVICE_NAMES.map(
      (service) =>
        `  - name: ghcr.io/appdist/${service}\n    newName: mirror.example/appdist/${service}\n    newTag: "1.0"\n`,
    );
    await writeFile(
      join(dist, 'kustomization.yaml'),
      `resources:\n  - ${relative(dist, join(REPO_ROOT, 'dist', 'app-kubernetes'))}\nimages:\n${mirrored.join('')}`,
    );
    const plan = await planE2E({
      dist: 'app-kubernetes',
      artifacts: await temporaryDir(),
      root,
      images: { backend: 'localhost:5000/backend:mine' },
      tag: 'e2e',
    });
    expect(plan.app.images).toEqual({
      frontend: 'mirror.example/appdist/frontend:e2e',
      backend: 'localhost:5000/backend:mine',
      cache: 'mirror.example/appdist/cache:e2e',
      database: 'mirror.example/appdist/database:e2e',
      tester: 'mirror.example/appdist/tester:e2e',
    });
  });
});

describe('an Istio Gateway whose hosts is not a list', () => {
  it('is reported as no Gateway host, not a TypeError', async () => {
    const root = await temporaryDir();
    const dist = join(root, 'dist', 'app-istio');
    await mkdir(dist, { recursive: true });
    await writeFile(
      join(dist, 'kustomization.yaml'),
      `resources:\n  - ${relative(dist, join(REPO_ROOT, 'dist', 'app-istio'))}\npatches:\n  - target: {kind: Gateway}\n    patch: |\n      - {op: replace, path: /spec/servers/0/hosts, value: appdist.example.com}\n`,
    );
    await expect(
      planE2E({ dist: 'app-istio', artifacts: await temporaryDir(), root }),
    ).rejects.toThrow('app-istio renders no Istio Gateway host for the ingress smoke test');
  });
});

describe('an unknown distribution', () => {
  it('is refused with the list of known ones before anything is written', async () => {
    const artifacts = join(await temporaryDir(), 'never-created');
    await expect(planE2E({ dist: 'app-consul', artifacts, root: REPO_ROOT })).rejects.toThrow(
      'unknown distribution "app-consul": the Kind end-to-end run knows app-kubernetes, app-istio, app-linkerd',
    );
    await expect(readFile(join(artifacts, 'kind-config.yaml'))).rejects.toThrow(/ENOENT/);
  });
});
