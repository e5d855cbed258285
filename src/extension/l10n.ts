// Every string the host shows goes through `l10n.t`. The `backprop.language` setting picks the
// source: `auto` defers to VS Code (which loads l10n/bundle.l10n.<lang>.json for its display
// language), while `en` and `ko` load the bundle here, so Korean works even on a VS Code without
// a Korean language pack (code-server ships none).
import * as vscode from 'vscode';
import * as bundled from '@vscode/l10n';
import koreanBundle from '../../l10n/bundle.l10n.ko.json';

export type LanguageSetting = 'auto' | 'en' | 'ko';
export type UiLanguage = 'en' | 'ko';

const BUNDLES: Readonly<Record<UiLanguage, Record<string, string>>> = { en: {}, ko: koreanBundle };

let override: UiLanguage | undefined;

export function readLanguageSetting(value: unknown): LanguageSetting {
  return value === 'en' || value === 'ko' ? value : 'auto';
}

export function configureLanguage(setting: LanguageSetting): void {
  override = setting === 'auto' ? undefined : setting;
  if (override) bundled.config({ contents: BUNDLES[override] });
}

/** The language the UI is shown in, for the webview's `lang` attribute and number formatting. */
export function uiLanguage(): UiLanguage {
  if (override) return override;
  return vscode.env.language.toLowerCase().startsWith('ko') ? 'ko' : 'en';
}

export const l10n = {
  t(message: string, ...args: Array<string | number | boolean>): string {
    return override ? bundled.t(message, ...args) : vscode.l10n.t(message, ...args);
  },
};

/** Webview strings: English source → shown text, sent to the webview in its `init` message. */
export function translateAll(messages: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const message of messages) out[message] = l10n.t(message);
  return out;
}
