// The schema VS Code's JSON language service reads (package.json `jsonValidation`), generated at
// build time from schemas/backprop.schema.json, the one definition. The extension validates every
// model file against that schema itself (with located sentences, and the semantic checks beside
// them), so the editor's copy keeps only what serves completion and hover: were its constraints
// kept, VS Code would list each schema problem a second time in Problems.

/** Keywords that only constrain values: the extension's validator reports what they find. */
const CONSTRAINTS = [
  'type', 'required', 'additionalProperties', 'additionalItems', 'minimum', 'maximum', 'exclusiveMinimum',
  'exclusiveMaximum', 'minItems', 'maxItems', 'minLength', 'maxLength', 'pattern', 'const', 'enum',
  'enumDescriptions', 'markdownEnumDescriptions',
];

/**
 * `schema` without its constraints. An `if` stays as written: it only chooses which `then`
 * applies (the optimizer's own fields after `"type": "adam"`), and never reports a problem
 * itself. The values an `enum` (or a boolean `type`) offered become `defaultSnippets`, with
 * their descriptions, so completion still proposes them.
 */
export function editorSchema(schema) {
  if (Array.isArray(schema)) return schema.map(editorSchema);
  if (schema === null || typeof schema !== 'object') return schema;
  const out = {};
  for (const [key, value] of Object.entries(schema)) {
    if (CONSTRAINTS.includes(key)) continue;
    if (SCHEMA_MAPS.includes(key)) out[key] = Object.fromEntries(Object.entries(value).map(([name, s]) => [name, editorSchema(s)]));
    else if (SUBSCHEMAS.includes(key)) out[key] = editorSchema(value);
    else out[key] = value; // annotations (descriptions, defaults, snippets) and the `if` conditions, as written
  }
  const offered = offeredValues(schema);
  if (offered.length > 0) out.defaultSnippets = [...(schema.defaultSnippets ?? []), ...offered];
  return out;
}

/** Keywords whose value is a schema or a list of schemas. */
const SUBSCHEMAS = ['items', 'then', 'else', 'allOf', 'anyOf', 'oneOf', 'not', 'contains', 'propertyNames'];
/** Keywords whose value maps names to schemas. */
const SCHEMA_MAPS = ['properties', 'patternProperties', 'definitions', '$defs', 'dependentSchemas'];

/** The completion entries for the values an `enum` lists (or `true`/`false` for a boolean). */
function offeredValues(schema) {
  if (Array.isArray(schema.enum)) {
    return schema.enum.map((value, i) => ({
      label: JSON.stringify(value),
      body: value,
      ...(schema.enumDescriptions?.[i] !== undefined && { description: schema.enumDescriptions[i] }),
      ...(schema.markdownEnumDescriptions?.[i] !== undefined && { markdownDescription: schema.markdownEnumDescriptions[i] }),
    }));
  }
  if (schema.type === 'boolean') return [true, false].map((value) => ({ label: String(value), body: value }));
  return [];
}
