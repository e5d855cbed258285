// How the engine reads data files without touching a file system itself: the CLI passes a Node
// reader (nodeFiles.ts), the VS Code host one over its workspace API.

export interface DataFileReader {
  /** Size in bytes, or undefined when the file does not exist. Checked before reading. */
  size(path: string): number | undefined;
  /** The whole file as UTF-8 text. May throw; the message is shown to the user. */
  readText(path: string): string;
  /** Where a relative path points, for messages ("data/x.csv (/home/me/proj/data/x.csv)"). */
  describe?(path: string): string;
}
