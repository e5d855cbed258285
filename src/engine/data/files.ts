// How the engine reads data files without touching a file system itself: the CLI and the
// extension pass a Node reader (nodeFiles.ts) confined to a folder; tests pass in-memory ones.

/** Where a data path leads, found without reading the file. */
export type DataFileLookup =
  /**
   * A regular file inside the allowed folder. `version` changes whenever its content may have
   * (absent: never cache it); `size` is what the file system reports (0 for /proc files), so it
   * can refuse a large file early but never replaces counting the bytes read.
   */
  | { ok: true; version?: string; size?: number }
  /** Refused: no such file, a path (after following links) outside the allowed folder, or not a regular file. */
  | { ok: false; reason: 'missing' | 'outside' | 'not-a-file' };

export interface DataFileReader {
  locate(path: string): DataFileLookup;
  /**
   * The file as UTF-8 text, or undefined when it holds more than `maxBytes` bytes (counted while
   * reading, not taken from the size the file reports). Only called on a path `locate` accepted.
   * May throw; the message is shown to the user.
   */
  readText(path: string, maxBytes: number): string | undefined;
  /** As readText, without blocking the caller's event loop (the extension host's reads; `loadModelAsync`). */
  readTextAsync?(path: string, maxBytes: number): Promise<string | undefined>;
  /** Where a relative path points, for messages ("data/x.csv (/home/me/proj/data/x.csv)"). */
  describe?(path: string): string;
  /** The folder data paths must stay inside, for messages. */
  readonly root?: string;
}
