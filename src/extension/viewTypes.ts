// The webview panels' view types, in a module of their own so that the extension's small entry
// (extension.ts) can register the inspector's serializer without bundling the inspector.
export const INSPECTOR_VIEW_TYPE = 'backprop.inspector';
/**
 * A live PyTorch session's inspector: a view type of its own with no panel serializer, so VS Code
 * does not bring it back after a window reload (the process is gone). Under the inspector's type,
 * a revived live panel would claim another inspector's saved state (matchSavedState).
 */
export const LIVE_INSPECTOR_VIEW_TYPE = 'backprop.liveInspector';
