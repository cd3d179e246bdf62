import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DISTRIBUTIONS } from '@appdist/catalogue';
import { describe, expect, it } from 'vitest';
import { formatPlan, planE2E } from '../src/plan.js';
import { E2E_VERSIONS } from '../src/versions.js';
import { REPO_ROOT, temporaryDir } from './helpers.js';

const SRC = join(import.meta.dirname, '..', 'src');

/** Version-like strings: 1.29.2, v1.35.1, edge-26.9.3, and image digests (not 127.0.0.1). */
const VERSION = /(?<![\d.])(?:edge-)?v?\d+\.\d+\.\d+(?![\d.])|sha256:[0-9a-f]{64}/g;

describe('the versions file', () => {
  it('holds every version string a plan contains', async () => {
    const versionsFile = await readFile(join(SRC, 'versions.ts'), 'utf8');
    const found = new Set<string>();
    for (const dist of DISTRIBUTIONS) {
      const plan = await planE2E({ dist, artifacts: await temporaryDir(), root: REPO_ROOT });
      // The service images carry the services' own versions (dist/ pins them), not tool versions.
      let text = formatPlan(plan);
      for (const image of Object.values(plan.app.images)) text = text.replaceAll(image, '<image>');
      for (const match of text.matchAll(VERSION)) found.add(match[0]);
    }
    // The scan must see the pins, or it would pass by finding nothing.
    for (const pinned of [
      E2E_VERSIONS.kind.version,
      E2E_VERSIONS.kindNode.digest,
      E2E_VERSIONS.kubectl.version,
      E2E_VERSIONS.istio.version,
      E2E_VERSIONS.linkerd.version,
      E2E_VERSIONS.gatewayApi.version,
      E2E_VERSIONS.flagger.version,
    ]) {
      expect(found).toContain(pinned);
    }
    for (const version of found) expect(versionsFile).toContain(version);
  });

  it('is the only source file with a version in it', async () => {
    const files = (await readdir(SRC)).filter(
      (file) => file.endsWith('.ts') && file !== 'versions.ts',
    );
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      const text = await readFile(join(SRC, file), 'utf8');
      expect({ file, versions: text.match(VERSION) ?? [] }).toEqual({ file, versions: [] });
    }
  });

  it('verifies each download against the checksum published in the same release', async () => {
    let plans = '';
    for (const dist of ['app-istio', 'app-linkerd']) {
      plans += formatPlan(
        await planE2E({ dist, artifacts: await temporaryDir(), root: REPO_ROOT }),
      );
    }
    for (const download of [E2E_VERSIONS.kubectl, E2E_VERSIONS.istio, E2E_VERSIONS.linkerd]) {
      expect(plans).toContain(` ${download.url}.sha256\n`);
      expect(download.url).toContain(download.version);
      expect(download.url).toMatch(/^https:\/\//);
    }
    expect(E2E_VERSIONS.kindNode.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(E2E_VERSIONS.kindNode.image.endsWith(E2E_VERSIONS.kubectl.version)).toBe(true);
    for (const overlay of Object.values(E2E_VERSIONS.flagger.kustomize)) {
      expect(overlay).toMatch(new RegExp(`\\?ref=${E2E_VERSIONS.flagger.version}$`));
    }
    expect(E2E_VERSIONS.gatewayApi.manifest).toContain(`/${E2E_VERSIONS.gatewayApi.version}/`);
  });
});
