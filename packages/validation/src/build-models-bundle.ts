/**
 * Build step (`npm run build`): bundles the models of RENDERED_KINDS into dist/models-bundle.js,
 * which findModel reads first.
 */
import { rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { rolldown } from 'rolldown';
import { kindModule, MODELS_BUNDLE_FILE, RENDERED_KINDS } from './models.js';

const entry = new URL('./models-bundle-entry.js', import.meta.url);
const exports = RENDERED_KINDS.flatMap(([apiVersion, kind], index) => {
  const module = kindModule(apiVersion, kind);
  // CRD kinds (Flagger's) have no model package.
  if (!module?.kindSpecifier || apiVersion.startsWith('flagger.app/')) return [];
  return [`export { ${kind} as m${index} } from '${module.kindSpecifier}';`];
});
await writeFile(entry, `${exports.join('\n')}\n`);
try {
  const build = await rolldown({
    input: fileURLToPath(entry),
    platform: 'node',
    // ajv-formats-draft2019 requires 'punycode', which outside node_modules would be Node's
    // deprecated built-in (a warning at every start); the npm package is the same code.
    resolve: { alias: { punycode: 'punycode/punycode.js' } },
    logLevel: 'warn',
  });
  await build.write({ file: fileURLToPath(MODELS_BUNDLE_FILE), format: 'esm' });
  await build.close();
} finally {
  await rm(entry);
}
