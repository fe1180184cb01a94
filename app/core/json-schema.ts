/**
 * The JSON Schema of topology files, generated from the zod schema that the
 * reader validates with, so editors check files by the same rules.
 * `npm run schema` writes it to `schema/topology.schema.json`.
 */
import { z } from 'zod';
import { topologySchema } from './topology.js';

/** Builds the JSON Schema (draft 2020-12) of the topology file as it is written on disk. */
export function topologyJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(topologySchema, { target: 'draft-2020-12', io: 'input' }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return { $schema, title: 'Switchyard topology', ...rest };
}

/** Returns the schema file's text: two-space indented JSON with a final newline. */
export function topologyJsonSchemaText(): string {
  return `${JSON.stringify(topologyJsonSchema(), null, 2)}\n`;
}
