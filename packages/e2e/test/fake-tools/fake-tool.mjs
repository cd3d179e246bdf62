// A stand-in for kind, docker, curl and kubectl, so the real-run code path (commands, polls,
// expectations, artifact collection) runs in tests on a machine without Docker or a cluster.
// It keeps a tiny cluster state in $FAKE_STATE and plays Flagger: a released Canary is
// Progressing on its first poll, then Succeeded, or Failed for a release with FAULT_ERROR_RATE.
// $FAKE_SCENARIO bends it: `conformance-fails` (the cache suite answers 412),
// `bad-release-promoted` (Flagger promotes the faulty backend), `docker-down` (docker info fails).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const [tool, ...args] = process.argv.slice(2);
const scenario = process.env.FAKE_SCENARIO ?? 'ok';
const statePath = process.env.FAKE_STATE;

function loadState() {
  if (!statePath || !existsSync(statePath)) return { calls: [], releases: {} };
  return JSON.parse(readFileSync(statePath, 'utf8'));
}

const state = loadState();
state.calls.push([tool, ...args].join(' '));

function finish(code, stdout = '', stderr = '') {
  if (statePath) writeFileSync(statePath, JSON.stringify(state));
  if (stdout) process.stdout.write(stdout);
  if (stderr) process.stderr.write(stderr);
  process.exit(code);
}

/** What a "download" of `url` holds: kubectl becomes this fake, anything else fixed bytes. */
function downloadContent(url) {
  if (basename(new URL(url).pathname) === 'kubectl') {
    return `#!/bin/sh\nexec "${process.execPath}" "${process.argv[1]}" kubectl "$@"\n`;
  }
  return `fake download of ${url}\n`;
}

function curl() {
  const options = { headers: [] };
  let url;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index];
    if (['-o', '-w', '-d', '-H', '--max-time', '--retry'].includes(arg)) {
      const value = args[++index];
      if (arg === '-o') options.output = value;
      if (arg === '-w') options.format = value;
      if (arg === '-d') options.data = value;
      if (arg === '-H') options.headers.push(value);
    } else if (!arg.startsWith('-')) url = arg;
  }
  const write = (body) => {
    if (!options.output || options.output === '/dev/null') return;
    mkdirSync(dirname(options.output), { recursive: true });
    writeFileSync(options.output, body);
  };
  if (url.startsWith('https://')) {
    const content = url.endsWith('.sha256')
      ? `${createHash('sha256')
          .update(downloadContent(url.slice(0, -'.sha256'.length)))
          .digest('hex')}\n`
      : downloadContent(url);
    write(content);
    return finish(0);
  }
  const path = new URL(url).pathname;
  let status = 200;
  let body = '{"ok":true}';
  let location = '';
  if (path === '/hooks/conformance') {
    const payload = JSON.parse(options.data);
    if (scenario === 'conformance-fails' && payload.name === 'cache') {
      status = 412;
      body = 'cache conformance failed: get: GET /v1/keys/x: expected 200, got 500\n';
    }
  } else if (path === '/api/links') {
    status = 201;
  } else if (path === '/e2e-smoke') {
    status = 302;
    location = 'https://example.com/appdist-e2e';
  }
  write(body);
  const formatted = (options.format ?? '')
    .replace('%{http_code}', String(status))
    .replace('%{redirect_url}', location);
  return finish(0, formatted);
}

const CANARIES = ['frontend', 'backend', 'cache', 'database'];

function phase(name) {
  const release = state.releases[name];
  if (!release) return 'Initialized';
  release.polls += 1;
  if (release.polls < 2) return 'Progressing';
  const faulty = release.env?.startsWith('FAULT_ERROR_RATE=');
  if (faulty && scenario !== 'bad-release-promoted') return 'Failed';
  return 'Succeeded';
}

function promoted(name) {
  const release = state.releases[name];
  if (!release || release.polls < 2) return false;
  return !release.env?.startsWith('FAULT_ERROR_RATE=') || scenario === 'bad-release-promoted';
}

function kubectl() {
  const words = args.filter((arg, index) => !(arg === '-n' || args[index - 1] === '-n'));
  const [verb, target] = words;
  if (verb === 'version') return finish(0, 'Client Version: v1.35.1\nKustomize Version: v5.7.1\n');
  if (verb === 'port-forward') {
    process.stdout.write(`Forwarding from 127.0.0.1:${words[2]}\n`);
    process.on('SIGTERM', () => process.exit(0));
    setInterval(() => undefined, 1000);
    return;
  }
  if (verb === 'set') {
    const name = words[2].replace('deployment/', '');
    const change = words.at(-1);
    state.releases[name] =
      target === 'image' ? { image: change.split('=')[1], polls: 0 } : { env: change, polls: 0 };
    return finish(0, `deployment.apps/${name} ${target} updated\n`);
  }
  if (verb === 'get' && target === 'canaries' && words.includes('yaml')) {
    return finish(0, 'apiVersion: v1\nkind: List\nitems: []\n');
  }
  if (verb === 'get' && target === 'canaries') {
    const rows = CANARIES.map((name) => `${name}   ${phase(name)}   0   0   2026-01-01T00:00:00Z`);
    return finish(0, `NAME       STATUS   WEIGHT   FAILED   LAST\n${rows.join('\n')}\n`);
  }
  if (verb === 'get' && target?.startsWith('deployment/') && target.endsWith('-primary')) {
    const name = target.slice('deployment/'.length, -'-primary'.length);
    const release = state.releases[name];
    const field = words.find((word) => word.startsWith('jsonpath='));
    if (field?.endsWith('.env}')) {
      if (!promoted(name) || !release.env) return finish(0, '');
      const [key, value] = release.env.split('=');
      return finish(0, JSON.stringify([{ name: key, value }]));
    }
    const images = JSON.parse(process.env.FAKE_IMAGES ?? '{}');
    return finish(0, promoted(name) && release.image ? release.image : images[name]);
  }
  return finish(0, `${verb} ok\n`);
}

function kind() {
  const [verb] = args;
  if (verb === 'version') return finish(0, 'kind v0.27.0 go1.23.6 linux/amd64\n');
  if (verb === 'export') {
    const dir = args[2];
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'kind-version.txt'), 'kind v0.27.0\n');
  }
  return finish(0, `kind ${verb} ok\n`);
}

function docker() {
  if (args[0] === 'info') {
    if (scenario === 'docker-down') {
      return finish(1, '', 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock.\n');
    }
    return finish(0, '28.2.2\n');
  }
  return finish(0);
}

const tools = { curl, kubectl, kind, docker };
if (!tools[tool]) finish(127, '', `fake-tool: unknown tool ${tool}\n`);
else tools[tool]();
