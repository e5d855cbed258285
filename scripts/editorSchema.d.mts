// Types of editorSchema.mjs for the TypeScript that imports it (its test).
export declare function editorSchema(schema: unknown): unknown;
