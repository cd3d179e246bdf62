/** Build step (`npm run build`): writes dist/field-types.json from @kubernetes/client-node. */
import { writeFile } from 'node:fs/promises';
import { FIELD_TYPES_FILE, fieldTypesFromClientNode } from './field-types.js';

await writeFile(FIELD_TYPES_FILE, `${JSON.stringify(await fieldTypesFromClientNode())}\n`);
