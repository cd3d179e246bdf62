import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CANARY_SERVICES, type CanaryStrategy, MESH_NAMES, SERVICES } from '@appdist/catalogue';
import { describe, expect, it } from 'vitest';

const DOC = readFileSync(
  join(import.meta.dirname, '..', '..', '..', 'docs', 'distribution.md'),
  'utf8',
);

/** A cell of the strategies table, as the strategy it names (details in parentheses aside). */
function strategyOf(cell: string): CanaryStrategy | undefined {
  if (/^blue\/green \+ `mirror`/.test(cell)) return 'mirror';
  if (cell.startsWith('blue/green')) return 'blue-green';
  if (cell.startsWith('A/B')) return 'ab';
  if (cell.startsWith('canary')) return 'canary';
  return undefined;
}

describe('docs/distribution.md', () => {
  it("lists the catalogue's canary strategy of each service on each mesh", () => {
    const lines = DOC.split('\n');
    const header = lines.findIndex((line) => /^\| service\s*\|/.test(line));
    expect(header).toBeGreaterThan(-1);
    const cells = (line: string) =>
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim());
    expect(cells(lines[header] ?? '')).toEqual(['service', ...MESH_NAMES]);
    const end = lines.findIndex((line, index) => index > header && !line.startsWith('|'));
    const table = Object.fromEntries(
      lines.slice(header + 2, end).map((line) => {
        const [service = '', ...strategies] = cells(line);
        const byMesh = MESH_NAMES.map((mesh, index) => [mesh, strategyOf(strategies[index] ?? '')]);
        return [service, Object.fromEntries(byMesh)];
      }),
    );
    const catalogue = Object.fromEntries(
      SERVICES.flatMap((service) => ('canary' in service ? [[service.name, service.canary]] : [])),
    );
    expect(Object.keys(table)).toEqual([...CANARY_SERVICES]);
    expect(table).toEqual(catalogue);
  });
});
