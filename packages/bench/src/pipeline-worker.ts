/**
 * The distribution pipeline in a fresh process, so the first pass is cold: it renders and
 * validates every distribution of the catalogue (dist/app-<mesh>) and examples/provider as
 * `appdist validate` does (one after the other here, so the times add up), `passes` times, and
 * prints the timings as JSON. With --render-only it renders the same folders the same way and
 * validates nothing, without loading validation: the baseline.
 *
 *   node pipeline-worker.js <repository root> <passes> [--render-only]
 */
// Node's own start, until the worker's first line ran.
const processStartMs = performance.now();

const [root, passesArgument, mode] = process.argv.slice(2);
const passes = Number(passesArgument ?? 1);
const renderOnly = mode === '--render-only';
if (!root || !Number.isInteger(passes) || passes < 1 || (mode !== undefined && !renderOnly)) {
  process.stderr.write('usage: pipeline-worker.js <repository root> <passes> [--render-only]\n');
  process.exit(2);
}

const importStart = performance.now();
const [{ validateDirectory }, { validateProviderExample }, { join }] = await Promise.all([
  import('@appdist/validation/validate-directory'),
  import('@appdist/validation/validate-example'),
  import('node:path'),
]);
const schemaModule = renderOnly ? undefined : await import('@appdist/validation/schema');

const importMs = performance.now() - importStart;

const schemaStart = performance.now();
const schemas = await schemaModule?.SchemaValidator.create();
const schemaMs = performance.now() - schemaStart;
const options = schemas ? { schemas } : { validate: false };

const { DISTRIBUTIONS } = await import('@appdist/catalogue');
const results = [];
for (let pass = 0; pass < passes; pass++) {
  const passStart = performance.now();
  const renders = [];
  for (const name of DISTRIBUTIONS) {
    renders.push(
      await validateDirectory(join(root, 'dist', name), { distribution: name, ...options }),
    );
  }
  renders.push(...(await validateProviderExample(root, options)));
  results.push({
    totalMs: performance.now() - passStart,
    renders: renders.map((render) => ({
      distribution: render.distribution,
      objects: render.objects.length,
      findings: render.findings.length,
      // kustomize (the @appdist/kustomize build) of one directory, YAML parsed.
      renderMs: render.renderMs,
      validateMs: render.validateMs,
    })),
  });
}

const output = { processStartMs, importMs, schemaMs, passes: results };
/** What the worker prints, as pipeline.ts reads it. */
export type WorkerOutput = typeof output;
process.stdout.write(`${JSON.stringify(output)}\n`);
