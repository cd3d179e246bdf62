// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are HCL and Dockerfile text, whose ${…} is theirs, not JavaScript's.
import { describe, expect, it } from 'vitest';
import {
  evaluateTemplate,
  evaluateValue,
  HclExpressionError,
  type HclValue,
} from '../src/hcl-template.js';

const VARIABLES: Record<string, HclValue> = {
  REGISTRY: 'ghcr.io/appdist',
  TAG: '',
  VERSION: '1.2.3',
  PLATFORMS: ['linux/amd64', 'linux/arm64'],
  PUSH: true,
  REPLICAS: 3,
  NOTHING: null,
};

function lookup(name: string): HclValue {
  const value = VARIABLES[name];
  if (value === undefined) throw new HclExpressionError(`undefined variable "${name}"`);
  return value;
}

const evaluate = (template: string) => evaluateTemplate(template, lookup);

describe('evaluateTemplate', () => {
  it('interpolates variables into text', () => {
    expect(evaluate('${REGISTRY}/backend:${VERSION}')).toBe('ghcr.io/appdist/backend:1.2.3');
    expect(evaluate('plain text')).toBe('plain text');
    expect(evaluate('replicas=${REPLICAS} push=${PUSH}')).toBe('replicas=3 push=true');
  });

  it('returns the value itself when the template is a single interpolation', () => {
    expect(evaluate('${PLATFORMS}')).toEqual(['linux/amd64', 'linux/arm64']);
    expect(evaluate('${PUSH}')).toBe(true);
    expect(evaluate('${ REPLICAS }')).toBe(3);
  });

  it('evaluates the %{if} directives hcl2json writes for a conditional inside a template', () => {
    const template = '${REGISTRY}/backend:%{if TAG != ""}${TAG}%{else}${VERSION}%{endif}';
    expect(evaluate(template)).toBe('ghcr.io/appdist/backend:1.2.3');
    expect(evaluateTemplate(template, (name) => (name === 'TAG' ? 'sha-abc' : lookup(name)))).toBe(
      'ghcr.io/appdist/backend:sha-abc',
    );
    expect(evaluate('a%{if PUSH}b%{endif}c')).toBe('abc');
    expect(evaluate('a%{ if !PUSH }b%{ endif }c')).toBe('ac');
  });

  it('evaluates conditionals, comparisons, boolean operators and tuples', () => {
    expect(evaluate('${TAG != "" ? TAG : VERSION}')).toBe('1.2.3');
    expect(evaluate('${TAG == "" && PUSH}')).toBe(true);
    expect(evaluate('${TAG != "" || !PUSH}')).toBe(false);
    expect(evaluate('${[VERSION, "latest"]}')).toEqual(['1.2.3', 'latest']);
    expect(evaluate('${(TAG == "") ? "a" : "b"}')).toBe('a');
    expect(evaluate('${PUSH ? PUSH ? "both" : "one" : "none"}')).toBe('both');
  });

  it('compares with cty types: a number never equals its string', () => {
    expect(evaluate('${REPLICAS == 3}')).toBe(true);
    expect(evaluate('${REPLICAS == "3"}')).toBe(false);
    expect(evaluate('${PLATFORMS == ["linux/amd64", "linux/arm64"]}')).toBe(true);
  });

  it('keeps escaped $${ and %%{ literal and unescapes quoted strings in expressions', () => {
    expect(evaluate('$${NOT_A_VARIABLE} 100%%{x}')).toBe('${NOT_A_VARIABLE} 100%{x}');
    expect(evaluate('${"say \\"hi\\"\\n"}')).toBe('say "hi"\n');
    expect(evaluate('${"${REGISTRY}/x"}')).toBe('ghcr.io/appdist/x');
    // Top-level strings come from JSON: a backslash there is just a character.
    expect(evaluate('C:\\path')).toBe('C:\\path');
  });

  it('rejects what the subset does not cover, naming the construct', () => {
    const cases: [string, RegExp][] = [
      ['${lower(TAG)}', /function calls are not supported: lower\(…\)/],
      ['${PLATFORMS[0]}', /attribute and index access are not supported/],
      ['${REPLICAS + 1}', /the operator "\+" is not supported/],
      ['${~ TAG}', /strip markers/],
      ['%{for p in PLATFORMS}${p}%{endfor}', /the %\{for\} directive is not supported/],
      ['${[for p in PLATFORMS: p]}', /for expressions are not supported/],
      ['%{if PUSH}open', /%\{if\} without %\{endif\}/],
      ['x%{endif}', /%\{endif\} without a matching %\{if\}/],
      ['${"unterminated}', /unterminated string/],
      ['${TAG', /expected "}"/],
    ];
    for (const [template, message] of cases) {
      expect(() => evaluate(template), template).toThrow(message);
    }
  });

  it('reports undefined variables, non-bool conditions and values a string cannot hold', () => {
    expect(() => evaluate('${MISSING}')).toThrow('undefined variable "MISSING"');
    expect(() => evaluate('${TAG ? "a" : "b"}')).toThrow(
      'a condition must be a bool, got string ""',
    );
    expect(() => evaluate('%{if VERSION}x%{endif}')).toThrow(
      'an %{if} condition must be a bool, got string "1.2.3"',
    );
    expect(() => evaluate('tag:${NOTHING}')).toThrow('cannot insert null into a string template');
    expect(() => evaluate('p=${PLATFORMS}')).toThrow('cannot insert a list into a string template');
  });
});

describe('evaluateValue', () => {
  it('evaluates every string of lists and objects and keeps other JSON values', () => {
    expect(
      evaluateValue(
        {
          tags: ['${REGISTRY}/a:${VERSION}'],
          n: 2,
          ok: false,
          none: null,
          platforms: '${PLATFORMS}',
        },
        lookup,
      ),
    ).toEqual({
      tags: ['ghcr.io/appdist/a:1.2.3'],
      n: 2,
      ok: false,
      none: null,
      platforms: ['linux/amd64', 'linux/arm64'],
    });
  });

  it('rejects computed object keys', () => {
    expect(() => evaluateValue({ '${TAG}': 'x' }, lookup)).toThrow('computed object keys');
  });
});
