/** Edits of rendered objects by dotted path (`spec.template.spec.containers.0.image`), for tests that break one thing. */

type Container = Record<string, unknown> | unknown[];

function step(current: unknown, key: string, path: string): unknown {
  if (Array.isArray(current)) return current[Number(key)];
  if (typeof current === 'object' && current !== null)
    return (current as Record<string, unknown>)[key];
  throw new Error(`${path}: ${key} is not inside an object`);
}

function parentOf(root: unknown, path: string): { parent: Container; key: string } {
  const keys = path.split('.');
  const key = keys.pop() ?? '';
  let current = root;
  for (const segment of keys) current = step(current, segment, path);
  if (typeof current !== 'object' || current === null)
    throw new Error(`${path} has no parent object`);
  return { parent: current as Container, key };
}

export function get(root: unknown, path: string): unknown {
  return path.split('.').reduce((current, key) => step(current, key, path), root);
}

export function set(root: unknown, path: string, value: unknown): void {
  const { parent, key } = parentOf(root, path);
  if (Array.isArray(parent)) parent[Number(key)] = value;
  else parent[key] = value;
}

export function unset(root: unknown, path: string): void {
  const { parent, key } = parentOf(root, path);
  if (Array.isArray(parent)) parent.splice(Number(key), 1);
  else delete parent[key];
}

export function push(root: unknown, path: string, value: unknown): void {
  const list = get(root, path);
  if (!Array.isArray(list)) throw new Error(`${path} is not a list`);
  list.push(value);
}
