import { describe, expect, it } from 'vitest';
import { bakeVersionVariable, readVariableDefault, setVariableDefault } from '../src/bake-file.js';

const BAKE = `# Versions: one variable per service, default = its package version.
variable "REGISTRY" {
  default = "ghcr.io/appdist"
}

variable "BACKEND_VERSION" {
  description = "backend's image tag; a } in a string is not a brace"
  # default = "9.9.9" in a comment is not the default
  default     = "0.1.0"
  validation {
    condition     = can(regex("^[0-9.]+$", BACKEND_VERSION))
    error_message = "default = \\"x\\" is a string here"
  }
}

variable "CACHE_VERSION" { default = "0.1.0" }

/* variable "FRONTEND_VERSION" {
  default = "0.0.1"
} */
variable "FRONTEND_VERSION" {
  default = "0.1.0" // the frontend
}

target "backend" {
  tags = ["\${REGISTRY}/backend:\${BACKEND_VERSION}"]
}
`;

function changedLines(before: string, after: string): Array<[string, string]> {
  const old = before.split('\n');
  return after.split('\n').flatMap((line, index) => {
    const previous = old[index] ?? '';
    return line === previous ? [] : [[previous, line] as [string, string]];
  });
}

describe('bake file version defaults', () => {
  it('names the variable of a service', () => {
    expect(bakeVersionVariable('backend')).toBe('BACKEND_VERSION');
    expect(bakeVersionVariable('link-checker')).toBe('LINK_CHECKER_VERSION');
  });

  it("reads a variable's own default, not one in a comment, a string or a nested block", () => {
    expect(readVariableDefault(BAKE, 'BACKEND_VERSION')).toBe('0.1.0');
    expect(readVariableDefault(BAKE, 'CACHE_VERSION')).toBe('0.1.0');
    expect(readVariableDefault(BAKE, 'FRONTEND_VERSION')).toBe('0.1.0');
    expect(readVariableDefault(BAKE, 'DATABASE_VERSION')).toBeUndefined();
  });

  it('changes the version between the quotes and nothing else', () => {
    const backend = setVariableDefault(BAKE, 'BACKEND_VERSION', '0.2.0');
    expect(changedLines(BAKE, backend)).toEqual([
      ['  default     = "0.1.0"', '  default     = "0.2.0"'],
    ]);
    const cache = setVariableDefault(backend, 'CACHE_VERSION', '0.1.1');
    expect(changedLines(backend, cache)).toEqual([
      [
        'variable "CACHE_VERSION" { default = "0.1.0" }',
        'variable "CACHE_VERSION" { default = "0.1.1" }',
      ],
    ]);
    const frontend = setVariableDefault(cache, 'FRONTEND_VERSION', '1.0.0');
    expect(changedLines(cache, frontend)).toEqual([
      ['  default = "0.1.0" // the frontend', '  default = "1.0.0" // the frontend'],
    ]);
  });

  it('refuses what it cannot edit exactly', () => {
    expect(() => setVariableDefault(BAKE, 'DATABASE_VERSION', '0.2.0')).toThrow(
      /declares no variable "DATABASE_VERSION"/,
    );
    expect(() => setVariableDefault(BAKE, 'BACKEND_VERSION', '0.2.0"; x = "')).toThrow(
      /is not a version/,
    );
    // biome-ignore lint/suspicious/noTemplateCurlyInString: HCL interpolation, not JavaScript's.
    const computed = 'variable "TESTER_VERSION" {\n  default = "${TAG}"\n}\n';
    expect(() => setVariableDefault(computed, 'TESTER_VERSION', '0.2.0')).toThrow(
      /expected a plain version string/,
    );
    const missing = 'variable "TESTER_VERSION" {\n  type = string\n}\n';
    expect(() => setVariableDefault(missing, 'TESTER_VERSION', '0.2.0')).toThrow(
      /has no default = "…" line/,
    );
  });
});
