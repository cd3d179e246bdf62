import { asList, asRecord, asString, asStringMap, at } from './access.js';
import { namespaceOf, type RenderIndex, type Workload } from './render.js';

/**
 * The environment a container starts with, as far as the render shows it: `envFrom`
 * ConfigMaps first, then `env` values, which win. Secrets and field references are left out.
 */
export function containerEnvironment(
  render: RenderIndex,
  workload: Workload,
  container: Record<string, unknown>,
): Record<string, string> {
  const environment: Record<string, string> = {};
  const namespace = namespaceOf(workload.object);
  for (const source of asList(container.envFrom)) {
    const name = asString(at(source, 'configMapRef', 'name'));
    const configMap = name ? render.find('ConfigMap', name, namespace) : undefined;
    const prefix = asString(at(source, 'prefix')) ?? '';
    for (const [key, value] of Object.entries(asStringMap(configMap?.data))) {
      environment[prefix + key] = value;
    }
  }
  for (const variable of asList(container.env)) {
    const record = asRecord(variable);
    const name = asString(record?.name);
    const value = asString(record?.value);
    if (name && value !== undefined) environment[name] = value;
  }
  return environment;
}
