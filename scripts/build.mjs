// Builds the bundles the design card names: the extension host (a small entry and the extension proper), the webview and the CLI
// (with the debug adapter and the explorers), and the engine's WebAssembly kernel.
// `--watch` keeps esbuild running for the F5 development loop.
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { editorSchema } from './editorSchema.mjs';
import { assembleKernel } from './kernel.mjs';

/** Where package.json's `jsonValidation` points. */
const EDITOR_SCHEMA = 'dist/backprop.editor.schema.json';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

// 'module' first: jsonc-parser's UMD 'main' hides its requires from the bundler.
const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'info', target: 'es2022', mainFields: ['module', 'main'] };

const targets = [
  // The extension's entry is small (activation costs nearly nothing) and loads dist/backprop.js,
  // the extension proper, at first use (src/extension/extension.ts).
  { ...common, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', platform: 'node', format: 'cjs', external: ['vscode'] },
  { ...common, entryPoints: ['src/extension/backprop.ts'], outfile: 'dist/backprop.js', platform: 'node', format: 'cjs', external: ['vscode'] },
  { ...common, entryPoints: ['src/debugAdapter.ts'], outfile: 'dist/debugAdapter.js', platform: 'node', format: 'cjs' },
  { ...common, entryPoints: ['src/cli.ts'], outfile: 'dist/cli.js', platform: 'node', format: 'cjs', banner: { js: '#!/usr/bin/env node' } },
  { ...common, entryPoints: ['src/webview/main.ts'], outfile: 'dist/webview.js', platform: 'browser', format: 'iife' },
  { ...common, entryPoints: ['src/webview/explorers/main.ts'], outfile: 'dist/explorers.js', platform: 'browser', format: 'iife' },
].filter((t) => existsSync(t.entryPoints[0]));

// The webview's icon font, served from dist/ (localResourceRoots) as codicon.css + codicon.ttf.
mkdirSync('dist', { recursive: true });
for (const file of ['codicon.css', 'codicon.ttf']) copyFileSync(`node_modules/@vscode/codicons/dist/${file}`, `dist/${file}`);
// The engine's WebAssembly SIMD kernel, read by the host bundles from beside them (src/engine/nodeKernel.ts).
writeFileSync('dist/matmul.wasm', await assembleKernel());
// The model files' schema as VS Code's JSON service reads it: completion and hover only, so each
// problem is listed once, by the extension (scripts/editorSchema.mjs says why).
writeFileSync(EDITOR_SCHEMA, `${JSON.stringify(editorSchema(JSON.parse(readFileSync('schemas/backprop.schema.json', 'utf8'))), null, 2)}\n`);

if (watch) {
  for (const t of targets) await (await esbuild.context(t)).watch();
} else {
  await Promise.all(targets.map((t) => esbuild.build(t)));
}
