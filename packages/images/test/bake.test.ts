// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are HCL and Dockerfile text, whose ${…} is theirs, not JavaScript's.
import { describe, expect, it } from 'vitest';
import {
  type BakeFile,
  BakeFileError,
  enabledAttestations,
  parseBakeFile,
  selectTargets,
} from '../src/bake.js';

const parse = (text: string, env: Record<string, string> = {}) =>
  parseBakeFile('test.hcl', text, { env });

function target(file: BakeFile, name: string) {
  const found = file.targets[name];
  if (found === undefined) throw new Error(`no target ${name}`);
  return found;
}

describe('variables', () => {
  const HCL = `
variable "REGISTRY" { default = "ghcr.io/appdist" }
variable "IMAGE" { default = "\${REGISTRY}/api" }
variable "PUSH" { default = false }
variable "RETRIES" { default = 3 }
variable "UNSET" {}
target "api" { tags = ["\${IMAGE}:1.0.0"] }
`;

  it('use their defaults, which may refer to other variables', async () => {
    const file = await parse(HCL);
    expect(file.variables).toEqual({
      REGISTRY: 'ghcr.io/appdist',
      IMAGE: 'ghcr.io/appdist/api',
      PUSH: false,
      RETRIES: 3,
      UNSET: '',
    });
    expect(target(file, 'api').tags).toEqual(['ghcr.io/appdist/api:1.0.0']);
  });

  it('take the environment over their defaults, converted to the default type as bake does', async () => {
    const file = await parse(HCL, {
      REGISTRY: 'registry.example.com/team',
      PUSH: 'true',
      RETRIES: '5',
      UNSET: 'set',
      NOT_DECLARED: 'ignored',
    });
    expect(file.variables).toMatchObject({ PUSH: true, RETRIES: 5, UNSET: 'set' });
    expect(file.variables).not.toHaveProperty('NOT_DECLARED');
    // A variable derived from an overridden one follows it.
    expect(target(file, 'api').tags).toEqual(['registry.example.com/team/api:1.0.0']);
    // Set but empty counts as set, as os.LookupEnv does for bake.
    expect((await parse(HCL, { REGISTRY: '' })).variables.IMAGE).toBe('/api');
  });

  it('reject environment values that do not parse as the default type', async () => {
    await expect(parse(HCL, { PUSH: 'yes' })).rejects.toThrow(
      'PUSH="yes": failed to parse as bool',
    );
    await expect(parse(HCL, { RETRIES: 'many' })).rejects.toThrow(
      'RETRIES="many": failed to parse as number',
    );
    await expect(
      parse('variable "P" { default = ["a"] }\ntarget "x" {}', { P: 'b' }),
    ).rejects.toThrow(
      'bake cannot override a variable whose default is not a string, bool or number',
    );
  });

  it('report cycles and undefined references', async () => {
    await expect(
      parse('variable "A" { default = "${B}" }\nvariable "B" { default = "${A}" }'),
    ).rejects.toThrow(/variable cycle: (A → B → A|B → A → B)/);
    await expect(parse('target "x" { tags = ["${NOPE}"] }')).rejects.toThrow(
      'target "x" tags: undefined variable "NOPE"',
    );
  });
});

describe('inherits', () => {
  const HCL = `
target "_common" {
  context = "."
  platforms = ["linux/amd64", "linux/arm64"]
  attest = ["type=sbom", "type=provenance,mode=max"]
  args = { GIT_COMMIT = "abc", SHARED = "base" }
  labels = { "org.opencontainers.image.source" = "https://example.com" }
  cache-from = ["type=registry,ref=r/common:cache"]
  cache-to = ["type=registry,ref=r/common:cache,mode=max"]
  tags = ["r/common:1"]
}
target "api" {
  inherits = ["_common"]
  dockerfile = "api/Dockerfile"
  args = { VERSION = "1.0.0", SHARED = "api", DROPPED = null }
  tags = ["r/api:1.0.0"]
  cache-from = ["type=registry,ref=r/api:cache"]
}
target "api-empty-attest" {
  inherits = ["api"]
  attest = []
}
target "api-check" {
  inherits = ["api"]
  call = "check"
}
target "api-local" {
  inherits = ["api"]
  platforms = ["linux/amd64"]
  attest = ["type=sbom,disabled=true", "type=provenance,disabled=true"]
  cache-to = []
  output = ["type=docker"]
}
`;

  it('merge args and labels by key and replace tags and platforms, as Target.Merge does', async () => {
    const api = target(await parse(HCL), 'api');
    expect(api).toMatchObject({
      context: '.',
      dockerfile: 'api/Dockerfile',
      args: { GIT_COMMIT: 'abc', SHARED: 'api', VERSION: '1.0.0' },
      labels: { 'org.opencontainers.image.source': 'https://example.com' },
      tags: ['r/api:1.0.0'],
      platforms: ['linux/amd64', 'linux/arm64'],
      cacheFrom: ['type=registry,ref=r/common:cache', 'type=registry,ref=r/api:cache'],
      cacheTo: ['type=registry,ref=r/common:cache,mode=max'],
    });
    expect(api.args).not.toHaveProperty('DROPPED');
    expect(api).not.toHaveProperty('call');
    expect(target(await parse(HCL), 'api-check')).toMatchObject({
      call: 'check',
      tags: ['r/api:1.0.0'],
    });
  });

  it('merge attest by type: an empty list keeps the inherited attestations', async () => {
    const file = await parse(HCL);
    expect(enabledAttestations(target(file, 'api-empty-attest')).map((a) => a.type)).toEqual([
      'sbom',
      'provenance',
    ]);
    const local = target(file, 'api-local');
    expect(local.attest).toEqual([
      { type: 'sbom', disabled: true, attributes: {} },
      { type: 'provenance', disabled: true, attributes: {} },
    ]);
    expect(enabledAttestations(local)).toEqual([]);
    expect(local).toMatchObject({
      platforms: ['linux/amd64'],
      cacheTo: [],
      output: ['type=docker'],
      tags: ['r/api:1.0.0'],
    });
  });

  it('apply parents in order, later ones overriding earlier', async () => {
    const file = await parse(`
target "a" {
  platforms = ["linux/amd64"]
  dockerfile = "A"
}
target "b" { platforms = ["linux/arm64"] }
target "c" { inherits = ["a", "b"] }
target "d" { inherits = ["b", "a"] }
`);
    expect(target(file, 'c')).toMatchObject({ platforms: ['linux/arm64'], dockerfile: 'A' });
    expect(target(file, 'd').platforms).toEqual(['linux/amd64']);
  });

  it('default the context to "." and the dockerfile to "Dockerfile"', async () => {
    expect(target(await parse('target "x" {}'), 'x')).toMatchObject({
      context: '.',
      dockerfile: 'Dockerfile',
      tags: [],
      attest: [],
    });
  });

  it('fail on a missing parent and on cycles', async () => {
    await expect(parse('target "x" { inherits = ["nope"] }')).rejects.toThrow(
      'failed to find target "nope" (inherited by "x")',
    );
    await expect(
      parse('target "x" { inherits = ["y"] }\ntarget "y" { inherits = ["x"] }'),
    ).rejects.toThrow(/inherits cycle: (x → y → x|y → x → y)/);
  });
});

describe('the supported subset', () => {
  it('rejects attributes and blocks whose bake semantics are not modelled', async () => {
    await expect(parse('target "x" { matrix = { a = ["1"] } }')).rejects.toThrow(
      'target "x" matrix: not supported by packages/images',
    );
    await expect(
      parse('function "f" {\n  params = [v]\n  result = v\n}\ntarget "x" {}'),
    ).rejects.toThrow('"function" blocks are not supported');
    await expect(parse('variable "V" {\n  type = string\n  default = "a"\n}')).rejects.toThrow(
      'variable "V": "type" is not supported',
    );
    await expect(parse('target "x" { attest = ["mode=max"] }')).rejects.toThrow(
      'attestation type not specified',
    );
  });

  it('passes HCL syntax errors on from the parser', async () => {
    const error = await parse('target "x" {\n  tags = ["a" "b"]\n}').catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(BakeFileError);
    expect(String(error)).toMatch(/test\.hcl:2/);
  });
});

describe('selectTargets', () => {
  const HCL = `
group "default" { targets = ["a", "both"] }
group "both" { targets = ["b", "a"] }
target "a" {}
target "b" {}
target "_hidden" {}
`;

  it('expands groups recursively, in order, without duplicates; no names is the default group', async () => {
    const file = await parse(HCL);
    expect(selectTargets(file, []).map((t) => t.name)).toEqual(['a', 'b']);
    expect(selectTargets(file, ['b', 'default']).map((t) => t.name)).toEqual(['b', 'a']);
  });

  it('names what exists when a target is unknown', async () => {
    const file = await parse(HCL);
    expect(() => selectTargets(file, ['c'])).toThrow(
      'no target or group "c"; known: a, b, both, default',
    );
  });
});
