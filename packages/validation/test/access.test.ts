import { describe, expect, it } from 'vitest';
import { fieldPath, selects } from '../src/access.js';

describe('selects', () => {
  const labels = { 'app.kubernetes.io/component': 'backend', tier: 'api' };

  it('reads Service selectors and label selectors alike', () => {
    expect(selects({ tier: 'api' }, labels)).toBe(true);
    expect(selects({ matchLabels: { tier: 'web' } }, labels)).toBe(false);
    expect(selects({}, labels)).toBe(true);
  });

  it('applies matchExpressions', () => {
    const expression = (operator: string, values?: string[]) => ({
      matchExpressions: [{ key: 'tier', operator, ...(values ? { values } : {}) }],
    });
    expect(selects(expression('In', ['api', 'web']), labels)).toBe(true);
    expect(selects(expression('NotIn', ['api']), labels)).toBe(false);
    expect(selects(expression('Exists'), labels)).toBe(true);
    expect(selects(expression('DoesNotExist'), labels)).toBe(false);
  });
});

describe('fieldPath', () => {
  it('prints paths as kubectl does, quoting keys with dots', () => {
    expect(fieldPath('spec', 'containers', 0, 'ports')).toBe('spec.containers[0].ports');
    expect(fieldPath('metadata', 'annotations', 'prometheus.io/port')).toBe(
      'metadata.annotations["prometheus.io/port"]',
    );
  });
});
