import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach } from 'vitest';

const created: string[] = [];

afterEach(async () => {
  await Promise.all(created.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** Writes `files` (relative path → content) into a fresh temp folder, removed after the test. */
export async function writeTree(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'appdist-kustomize-'));
  created.push(root);
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
  return root;
}

/** A base, a Component and an overlay composing both, the shape of dist/. */
export const DISTRIBUTION_TREE: Record<string, string> = {
  'base/kustomization.yaml': `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - deployment.yaml
images:
  # one newTag line per image
  - name: ghcr.io/appdist/backend
    newTag: 1.0.0 # pinned by release
`,
  'base/deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: backend
spec:
  selector:
    matchLabels: {app.kubernetes.io/name: backend}
  template:
    metadata:
      labels: {app.kubernetes.io/name: backend}
    spec:
      containers:
        - name: backend
          image: ghcr.io/appdist/backend
`,
  'components/mesh/kustomization.yaml': `apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
resources:
  - configmap.yaml
patches:
  - target: {kind: Deployment, name: backend}
    patch: |
      - op: add
        path: /spec/template/metadata/annotations
        value: {mesh.example/inject: enabled}
`,
  'components/mesh/configmap.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: mesh-settings
data:
  mode: strict
`,
  'app/kustomization.yaml': `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: app
labels:
  - pairs: {app.kubernetes.io/part-of: appdist}
resources:
  - ../base
components:
  - ../components/mesh
`,
};
