import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { topologyJsonSchema, topologyJsonSchemaText } from '../../app/core/json-schema.js';

const committedPath = new URL('../../schema/topology.schema.json', import.meta.url);

test('json schema: committed file is current', () => {
  const committed = readFileSync(committedPath, 'utf8');
  assert.equal(committed, topologyJsonSchemaText(), 'schema/topology.schema.json is stale. Run "npm run schema" and commit the result.');
});

test('json schema: closed objects and fields', () => {
  const schema = topologyJsonSchema() as {
    $schema: string;
    additionalProperties: boolean;
    required: string[];
    properties: Record<string, { const?: number }>;
  };
  assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
  assert.equal(schema.additionalProperties, false);
  assert.deepEqual([...schema.required].sort(), ['devices', 'name', 'version']);
  assert.equal(schema.properties.version?.const, 1);
});
