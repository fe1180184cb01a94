/**
 * Writes schema/topology.schema.json from the zod topology schema.
 * Run with `npm run schema` after changing app/core/topology.ts.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { topologyJsonSchemaText } from '../app/core/json-schema.js';

const target = fileURLToPath(new URL('../schema/topology.schema.json', import.meta.url));
writeFileSync(target, topologyJsonSchemaText());
console.log(`Wrote ${target}`);
