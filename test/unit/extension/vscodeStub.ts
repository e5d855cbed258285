// A stand-in for the parts of the `vscode` API that the host modules under test touch, and no
// more. Behaviour mirrors VS Code's where tests depend on it (Range/Position fields, the
// EventEmitter contract, l10n.t's {n} substitution); everything else is left out on purpose, so a
// module that starts using more of the API fails loudly here instead of passing against a fake.

export class Position {
  constructor(
    readonly line: number,
    readonly character: number,
  ) {}
}

export class Range {
  readonly start: Position;
  readonly end: Position;
  constructor(start: Position, end: Position);
  constructor(startLine: number, startCharacter: number, endLine: number, endCharacter: number);
  constructor(a: Position | number, b: Position | number, c?: number, d?: number) {
    if (typeof a === 'number') {
      this.start = new Position(a, b as number);
      this.end = new Position(c as number, d as number);
    } else {
      this.start = a;
      this.end = b as Position;
    }
  }
  /** As VS Code's: both ends included. */
  contains(p: Position): boolean {
    const after = (x: Position, y: Position) => x.line > y.line || (x.line === y.line && x.character >= y.character);
    return after(p, this.start) && after(this.end, p);
  }
}

export class MarkdownString {
  /** The plain text appended (VS Code's escapes it for Markdown; tests read the words). */
  text = '';
  appendText(text: string): MarkdownString {
    this.text += text;
    return this;
  }
}

export class Hover {
  constructor(
    readonly contents: MarkdownString[],
    readonly range?: Range,
  ) {}
}

export enum DiagnosticSeverity {
  Error = 0,
  Warning = 1,
  Information = 2,
  Hint = 3,
}

export class Diagnostic {
  source?: string;
  code?: string | number;
  constructor(
    readonly range: Range,
    readonly message: string,
    readonly severity: DiagnosticSeverity = DiagnosticSeverity.Error,
  ) {}
}

export class Disposable {
  constructor(private readonly callOnDispose: () => void) {}
  dispose(): void {
    this.callOnDispose();
  }
}

export class EventEmitter<T> {
  private listeners: Array<(value: T) => void> = [];
  readonly event = (listener: (value: T) => void): Disposable => {
    this.listeners.push(listener);
    return new Disposable(() => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    });
  };
  fire(value: T): void {
    for (const listener of [...this.listeners]) listener(value);
  }
  dispose(): void {
    this.listeners = [];
  }
}

function format(message: string, args: unknown[]): string {
  return message.replace(/\{(\d+)\}/g, (match, index: string) => (index in args ? String(args[Number(index)]) : match));
}

export const l10n = {
  t(message: string, ...args: unknown[]): string {
    return format(message, args);
  },
};

export const env = { language: 'en' };

/** The workspace events the problem list follows; tests fire them through `workspaceEvents`. */
export const workspaceEvents = {
  closed: new EventEmitter<{ uri: unknown }>(),
  deleted: new EventEmitter<{ files: unknown[] }>(),
  renamed: new EventEmitter<{ files: { oldUri: unknown; newUri: unknown }[] }>(),
};

/** Settings as `section.key` → value; tests set them (VS Code's defaults apply to the rest). */
export const settings = new Map<string, unknown>();

/** The ids of the extensions installed and enabled; tests remove one to disable it. */
export const installedExtensions = new Set<string>(['vscode.json-language-features']);

export const extensions = {
  getExtension: (id: string): { id: string } | undefined => (installedExtensions.has(id) ? { id } : undefined),
};

export const workspace = {
  getConfiguration: (section: string) => ({
    get: <T>(key: string, fallback: T): T => (settings.has(`${section}.${key}`) ? (settings.get(`${section}.${key}`) as T) : fallback),
  }),
  onDidCloseTextDocument: workspaceEvents.closed.event,
  onDidDeleteFiles: workspaceEvents.deleted.event,
  onDidRenameFiles: workspaceEvents.renamed.event,
};

/** The notifications the host showed, oldest first (tests read and clear it). */
export const shownMessages: { severity: 'information' | 'warning'; text: string }[] = [];

export enum StatusBarAlignment {
  Left = 1,
  Right = 2,
}

/** A status-bar item as the host sets it; tests read its text and whether it is shown. */
export class StatusBarItem {
  text = '';
  tooltip: string | undefined;
  name: string | undefined;
  command: string | undefined;
  visible = false;
  disposed = false;
  constructor(readonly id: string) {}
  show(): void {
    this.visible = true;
  }
  hide(): void {
    this.visible = false;
  }
  dispose(): void {
    this.disposed = true;
    this.visible = false;
  }
}

/** Every status-bar item the host made, oldest first. */
export const statusBarItems: StatusBarItem[] = [];

export const window = {
  createStatusBarItem: (id: string): StatusBarItem => {
    const item = new StatusBarItem(id);
    statusBarItems.push(item);
    return item;
  },
  showInformationMessage: async (text: string): Promise<undefined> => void shownMessages.push({ severity: 'information', text }),
  showWarningMessage: async (text: string): Promise<undefined> => void shownMessages.push({ severity: 'warning', text }),
};
