// The inspector's keyboard shortcuts, read from the keybindings package.json contributes (the one
// place they are defined) and written as VS Code writes them in its menus: "F10", "Shift+F11",
// "Ctrl+Alt+R" (on macOS its own binding, "Cmd+Alt+R"). The inspector shows them in its buttons'
// tooltips and its Keyboard help.
import manifest from '../../package.json';

interface Keybinding { command: string; key: string; mac?: string; when?: string }

const INSPECTOR = 'backprop.inspector';

const keyLabel = (key: string): string =>
  key.split(' ').map((chord) => chord.split('+').map((part) => part.length === 1 ? part.toUpperCase() : part[0].toUpperCase() + part.slice(1)).join('+')).join(' ');

/** Command id (without "backprop.") → shortcut label, for the keybindings active in the inspector. */
export function inspectorShortcuts(platform: NodeJS.Platform = process.platform): Record<string, string> {
  const bindings = manifest.contributes.keybindings as Keybinding[];
  return Object.fromEntries(bindings
    .filter((b) => b.when?.includes(INSPECTOR))
    .map((b) => [b.command.replace(/^backprop\./, ''), keyLabel(platform === 'darwin' && b.mac ? b.mac : b.key)]));
}
