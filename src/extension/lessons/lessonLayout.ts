// Where lessons open. A walkthrough link (or the palette) opens a lesson in one editor group
// beside the walkthrough, reused by every lesson: the walkthrough keeps its own group, and the
// previous lesson's example and inspector close when the next lesson opens (an example with
// unsaved edits stays open), so nine lessons leave one example, one inspector and the explorer
// instead of a tab pile of every lesson.
import * as vscode from 'vscode';

/** What the layout needs from the extension's host. */
export interface LessonInspectors {
  openInspector(uri: vscode.Uri, column: vscode.ViewColumn): Promise<unknown>;
  closeInspector(uri: vscode.Uri): void;
}

function textTabsOf(uri: vscode.Uri): vscode.Tab[] {
  const key = uri.toString();
  return vscode.window.tabGroups.all.flatMap((group) => group.tabs)
    .filter((tab) => tab.input instanceof vscode.TabInputText && tab.input.uri.toString() === key);
}

export class LessonLayout {
  /** The example the last lesson opened. */
  private shown: vscode.Uri | undefined;

  constructor(private readonly inspectors: LessonInspectors) {}

  /** The example the last lesson opened, if any. */
  get current(): vscode.Uri | undefined {
    return this.shown;
  }

  /**
   * The lessons' group: where the current lesson's example is, else `fallback` (the explorer's
   * group), else a group beside the active one (the walkthrough's, when a link was clicked).
   */
  column(fallback?: vscode.ViewColumn): vscode.ViewColumn {
    const group = this.shown && textTabsOf(this.shown)[0]?.group;
    return group?.viewColumn ?? fallback ?? vscode.ViewColumn.Beside;
  }

  /** Opens a lesson's example and its inspector in the lessons' group, then closes the previous lesson's. */
  async openExample(uri: vscode.Uri, fallback?: vscode.ViewColumn): Promise<void> {
    const previous = this.shown;
    const editor = await vscode.window.showTextDocument(uri, { viewColumn: this.column(fallback), preview: false });
    this.shown = uri;
    const column = editor.viewColumn ?? vscode.ViewColumn.Active;
    await this.inspectors.openInspector(uri, column);
    // Closed after the new lesson is in place, so the group never empties (and closes) in between.
    if (previous && previous.toString() !== uri.toString()) {
      this.inspectors.closeInspector(previous);
      const clean = textTabsOf(previous).filter((tab) => !tab.isDirty);
      if (clean.length > 0) await vscode.window.tabGroups.close(clean, true);
    }
  }
}
