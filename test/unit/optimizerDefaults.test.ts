// The optimizer defaults are defined once (src/engine/optimizers/defaults.ts); the JSON Schema
// (its `default` values and the "Default …" of its descriptions, which VS Code shows on hover)
// and the README's table restate them for readers, so they are held to the table here.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OPTIMIZER_DEFAULTS, createOptimizer } from '../../src/engine/optimizers';
import type { OptimizerSpec } from '../../src/engine/types';

const root = join(__dirname, '..', '..');
interface PropertySchema { default?: unknown; description?: string; markdownDescription?: string }
const schema = JSON.parse(readFileSync(join(root, 'schemas/backprop.schema.json'), 'utf8')) as {
  properties: { optimizer: { allOf: Array<{ if: { properties: { type: { const: string } } }; then: { properties: Record<string, PropertySchema> } }> } };
};
const readme = readFileSync(join(root, 'README.md'), 'utf8');
type Type = keyof typeof OPTIMIZER_DEFAULTS;
const TYPES = Object.keys(OPTIMIZER_DEFAULTS) as Type[];

function schemaProperties(type: string): Record<string, PropertySchema> {
  const block = schema.properties.optimizer.allOf.find((b) => b.if.properties.type.const === type);
  assert.ok(block, `the schema has no block for "${type}"`);
  return block.then.properties;
}

/** The default a description states for `type`: "… 1e-3 for levenberg-marquardt, 0 for newton", "… 1 otherwise", "Default 0.01." */
function statedDefault(description: string, type: string): unknown {
  const text = (description.match(new RegExp(`(\\S+) for ${type}\\b`)) ?? description.match(/(\S+) otherwise/) ?? description.match(/Default:? (\[[^\]]*\]|"[^"]*"|\S+?)[.,;]?(?:\s|$)/))?.[1];
  assert.ok(text !== undefined, `no default stated in "${description}"`);
  return JSON.parse(text.replace(/^(-?)\./, '$10.'));
}

describe('optimizer defaults: one table, restated faithfully', () => {
  for (const type of TYPES) {
    it(`${type}: the schema's default values and descriptions give the table's defaults`, () => {
      const properties = schemaProperties(type);
      for (const [key, value] of Object.entries(OPTIMIZER_DEFAULTS[type])) {
        const property = properties[key];
        assert.ok(property, `the schema's ${type} block has no ${key}`);
        if (property.default !== undefined) assert.deepEqual(property.default, value, `${type}.${key}: schema default`);
        const description = (property.description ?? property.markdownDescription ?? '').replace(/`/g, '');
        assert.deepEqual(statedDefault(description, type), value, `${type}.${key}: "${description}"`);
      }
      for (const [key, property] of Object.entries(properties)) {
        if (property.default !== undefined) assert.ok(Object.hasOwn(OPTIMIZER_DEFAULTS[type], key), `the schema has a default for ${type}.${key} that the engine does not use`);
      }
    });

    it(`${type}: the README's table gives the table's defaults`, () => {
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${type}\` |`));
      assert.ok(row, `the README has no row for ${type}`);
      for (const [key, value] of Object.entries(OPTIMIZER_DEFAULTS[type])) {
        const stated: string | undefined = new RegExp(`\`${key}\` (?:\\S+ )?\\((\\[[^\\]]*\\]|\`[^\`]*\`|[^,)\\s]+)`).exec(row)?.[1];
        if (type === 'adamw' && stated === undefined) continue; // "as `adam`, with decoupled weightDecay (0.01)"
        assert.ok(stated !== undefined, `the README's ${type} row does not state ${key}`);
        assert.deepEqual(JSON.parse(stated.replace(/`/g, '"')), value, `${type}.${key} in the README`);
      }
    });
  }

  it('an optimizer built from a bare {type} uses the defaults: adamw\'s decay 0.01 shrinks a weight by η·0.01 on a zero gradient', () => {
    // One step of AdamW on a zero gradient moves θ only by the decoupled decay θ·(1 − η·λ) (torch.optim.AdamW).
    const optimizer = createOptimizer({ type: 'adamw' } as OptimizerSpec, { names: ['w'], sizes: [1] }, { recordState: false });
    const theta = Float64Array.of(2);
    optimizer.step([theta], [Float64Array.of(0)]);
    assert.equal(theta[0], 2 * (1 - 1e-3 * 1e-2));
  });
});
