// The font scale of the inspector and the explorers (setting backprop.fontScale, kept by VS Code's
// settings, user scope by default): the zoom commands change it in steps, and every open panel
// applies a change at once.
import * as vscode from 'vscode';

export const FONT_SCALE = { min: 0.75, max: 3, step: 0.25, default: 1 } as const;

export const FONT_SCALE_COMMANDS = {
  zoomIn: 'backprop.zoomIn',
  zoomOut: 'backprop.zoomOut',
  zoomReset: 'backprop.zoomReset',
} as const;

/** The setting's value, clamped to the allowed range (a hand-edited settings.json may hold anything). */
export function fontScale(): number {
  const value = vscode.workspace.getConfiguration('backprop').get<unknown>('fontScale', FONT_SCALE.default);
  return clampFontScale(typeof value === 'number' ? value : FONT_SCALE.default);
}

export function clampFontScale(value: number): number {
  if (!Number.isFinite(value)) return FONT_SCALE.default;
  return Math.min(FONT_SCALE.max, Math.max(FONT_SCALE.min, value));
}

/** One zoom step from `current`, landing on the step grid (1.1 zoomed in goes to 1.25, not 1.35). */
export function zoomed(current: number, direction: 1 | -1): number {
  const steps = current / FONT_SCALE.step;
  const next = direction > 0 ? Math.floor(steps + 1e-9) + 1 : Math.ceil(steps - 1e-9) - 1;
  return clampFontScale(next * FONT_SCALE.step);
}

/** Calls `onChange` with the new scale whenever the setting changes. */
export function onFontScaleChange(onChange: (scale: number) => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((event) => {
    if (event.affectsConfiguration('backprop.fontScale')) onChange(fontScale());
  });
}

export function registerFontScaleCommands(context: vscode.ExtensionContext): void {
  // The setting is written where it is already set (workspace or user), else for the user.
  const set = (value: number) => {
    const config = vscode.workspace.getConfiguration('backprop');
    const inspected = config.inspect<number>('fontScale');
    const target = inspected?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    return config.update('fontScale', value === FONT_SCALE.default && target === vscode.ConfigurationTarget.Global ? undefined : value, target);
  };
  context.subscriptions.push(
    vscode.commands.registerCommand(FONT_SCALE_COMMANDS.zoomIn, () => set(zoomed(fontScale(), 1))),
    vscode.commands.registerCommand(FONT_SCALE_COMMANDS.zoomOut, () => set(zoomed(fontScale(), -1))),
    vscode.commands.registerCommand(FONT_SCALE_COMMANDS.zoomReset, () => set(FONT_SCALE.default)),
  );
}
