import { availableParallelism } from 'node:os';

/**
 * `items.map(task)` with at most `limit` tasks running, results in input order. Renders are
 * separate kustomize processes, so running one per core roughly halves a full validation.
 */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  task: (item: T) => Promise<R>,
  limit: number = availableParallelism(),
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
