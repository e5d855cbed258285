// Every string the host shows (each `l10n.t('…')` in src/extension) and every webview string
// has a Korean entry, and the Korean bundle has nothing else; same for package.nls*.json.
import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { WEBVIEW_STRINGS } from '../../../src/protocol/webviewStrings';
import { BIAS_INPUT_NAME, FACTOR_NAMES, NOTE_TEXTS } from '../../../src/engine/chainRule';
import { TEST_LOOK_TEXTS } from '../../../src/engine/testSet';

const root = join(__dirname, '../../..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** The first argument of every l10n.t( call, as written (single or double quoted, escapes decoded). */
function hostStrings(dir = join(root, 'src/extension')): Set<string> {
  const found = new Set<string>();
  const call = /l10n\.t\(\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")/g;
  for (const file of sourceFiles(dir)) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(call)) {
      const literal = match[1] !== undefined ? `'${match[1]}'` : `"${match[2]}"`;
      found.add(new Function(`return ${literal}`)() as string);
    }
  }
  return found;
}

// Exported `*_STRINGS` lists of other webviews (any src/webview/.../strings.ts).
function otherWebviewStrings(): string[] {
  return sourceFiles(join(root, 'src/webview'))
    .filter((file) => file.endsWith('strings.ts'))
    .flatMap((file) => Object.values(require(file) as Record<string, unknown>).filter(Array.isArray).flat() as string[]);
}

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{\d+\}/g)].map((m) => m[0]).sort();
}

describe('Korean translations', () => {
  const korean = JSON.parse(readFileSync(join(root, 'l10n/bundle.l10n.ko.json'), 'utf8')) as Record<string, string>;

  it('finds the host strings it checks', () => {
    assert.ok(hostStrings().size > 30);
  });

  it('cover every host string and every webview string', () => {
    const needed = new Set([...hostStrings(), ...WEBVIEW_STRINGS, ...Object.values(TEST_LOOK_TEXTS)]);
    const missing = [...needed].filter((s) => !(s in korean));
    assert.deepEqual(missing, []);
  });

  it('include every text the engine writes for the chain-rule view (factor names and notes)', () => {
    const engineTexts = [...Object.values(FACTOR_NAMES), BIAS_INPUT_NAME, ...Object.values(NOTE_TEXTS)];
    assert.deepEqual(engineTexts.filter((text) => !(WEBVIEW_STRINGS as readonly string[]).includes(text)), []);
  });

  it('keep the placeholders of the English text', () => {
    const wrong = Object.entries(korean).filter(([en, ko]) => placeholders(en).join() !== placeholders(ko).join());
    assert.deepEqual(wrong, []);
  });

  it('have no entries that no code uses', () => {
    // Other parts add their own strings: l10n.t calls anywhere in src, and the string lists other
    // webviews send in their init messages.
    const used = new Set<string>([...hostStrings(join(root, 'src')), ...WEBVIEW_STRINGS, ...otherWebviewStrings(), ...Object.values(TEST_LOOK_TEXTS)]);
    assert.deepEqual(Object.keys(korean).filter((k) => !used.has(k)), []);
  });

  it('package.nls.ko.json has exactly the keys of package.nls.json, and the manifest uses only those', () => {
    const en = JSON.parse(readFileSync(join(root, 'package.nls.json'), 'utf8')) as Record<string, string>;
    const ko = JSON.parse(readFileSync(join(root, 'package.nls.ko.json'), 'utf8')) as Record<string, string>;
    assert.deepEqual(Object.keys(ko).sort(), Object.keys(en).sort());
    const manifest = readFileSync(join(root, 'package.json'), 'utf8');
    const referenced = [...manifest.matchAll(/"%([^%"]+)%"/g)].map((m) => m[1]);
    assert.deepEqual(referenced.filter((key) => !(key in en)), []);
  });
});
