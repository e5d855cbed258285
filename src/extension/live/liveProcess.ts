// A PyTorch script started for live stepping (docs/live-protocol.md §1): a private folder (0700)
// with a Unix socket, a random token, the script started with Python in its own process group, and
// one connection per rank. Every frame is validated (liveProtocol.ts) before it is passed on; a peer
// that presents a wrong token is refused and dropped without ending the session; a broken rule by
// a recorder that did present it ends the session. No `vscode` import.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { type Server, type Socket, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import {
  type EditorMessage, type Hello, type RecorderMessage, type StopAt, FrameReader, LIVE_PROTOCOL_VERSION, LiveProtocolError,
  SOCKET_VARIABLE, TOKEN_VARIABLE, encodeEditorMessage, parseRecorderMessage,
} from './liveProtocol';

export interface LaunchSpec {
  python: string;
  program: string;
  args: string[];
  cwd: string;
  /** The folder holding the `backprop_stepper` package, put first on PYTHONPATH. */
  recorderPath: string;
}

export type ProcessEvent =
  | { type: 'output'; category: 'stdout' | 'stderr'; text: string }
  /** Every rank said hello (in rank order). */
  | { type: 'ready'; hellos: Hello[] }
  | { type: 'message'; rank: number; message: Exclude<RecorderMessage, Hello> }
  /** The session is over: why, and the exit status once the process exited. */
  | { type: 'ended'; reason: string; exitCode: number | null };

/** How long a stopped script may take to exit before its process group is killed. */
const STOP_GRACE_MS = 1500;

export class LiveProcess {
  readonly token = randomBytes(16).toString('hex');
  private readonly folder = mkdtempSync(join(tmpdir(), 'bps-'));
  readonly socketPath = join(this.folder, 'live.sock');
  private readonly server: Server;
  private child: ChildProcess | undefined;
  private readonly ranks = new Map<number, Socket>();
  private readonly hellos: Hello[] = [];
  private ended = false;
  private readonly finished: Promise<void>;
  private markFinished!: () => void;
  private endReason: string | undefined;
  private exited = false;

  constructor(private readonly listener: (event: ProcessEvent) => void) {
    this.server = createServer((socket) => this.accept(socket));
    this.finished = new Promise((resolve) => (this.markFinished = resolve));
  }

  /** Stops the script and resolves once the session is over (the process exited or was killed). */
  stopAndWait(): Promise<void> {
    this.stop();
    return this.finished;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(spec: LaunchSpec): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.socketPath, () => resolve());
    });
    const env = {
      ...process.env,
      [SOCKET_VARIABLE]: this.socketPath,
      [TOKEN_VARIABLE]: this.token,
      PYTHONPATH: [spec.recorderPath, process.env.PYTHONPATH].filter(Boolean).join(delimiter),
      PYTHONUNBUFFERED: '1',
    };
    const child = spawn(spec.python, [spec.program, ...spec.args], { cwd: spec.cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stdout!.setEncoding('utf8').on('data', (text: string) => this.listener({ type: 'output', category: 'stdout', text }));
    child.stderr!.setEncoding('utf8').on('data', (text: string) => this.listener({ type: 'output', category: 'stderr', text }));
    child.on('error', (error: NodeJS.ErrnoException) => {
      this.exited = true;
      const why = error.code === 'ENOENT' ? `Python was not found: "${spec.python}" (set "python" in the launch configuration or the backprop.python setting)` : `Python could not be started: ${error.message}`;
      this.finish(why, null);
    });
    child.on('exit', (code, signal) => {
      this.exited = true;
      this.finish(this.endReason ?? (code === 0 ? 'The script finished.' : `The script exited with ${signal ? `signal ${signal}` : `status ${code}`}.`), code);
    });
  }

  private accept(socket: Socket): void {
    const reader = new FrameReader();
    let rank: number | undefined;
    socket.on('data', (chunk: Buffer) => {
      let frames: unknown[];
      try {
        frames = reader.push(chunk);
      } catch (error) {
        return this.broken(socket, rank, error);
      }
      for (const frame of frames) {
        let message: RecorderMessage;
        try {
          message = parseRecorderMessage(frame);
        } catch (error) {
          return this.broken(socket, rank, error);
        }
        if (rank === undefined) {
          if (message.type !== 'hello') return this.broken(socket, rank, new LiveProtocolError(`the first message must be 'hello', got '${message.type}'`));
          if (!this.tokenMatches(message.token)) {
            // Not our recorder: refuse it and carry on waiting for the real one.
            socket.end(encodeEditorMessage({ type: 'refuse', message: 'wrong token' }));
            return;
          }
          const problem = this.admit(message);
          if (problem) return this.broken(socket, undefined, new LiveProtocolError(problem));
          rank = message.rank;
          this.ranks.set(rank, socket);
          if (this.hellos.length === message.worldSize) this.listener({ type: 'ready', hellos: [...this.hellos].sort((a, b) => a.rank - b.rank) });
        } else if (message.type === 'hello') {
          return this.broken(socket, rank, new LiveProtocolError('a second hello on one connection'));
        } else {
          this.listener({ type: 'message', rank, message });
          if (message.type === 'end' && message.reason === 'exception') this.endReason ??= 'The script raised an exception.';
        }
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (rank !== undefined && this.ranks.get(rank) === socket) this.connectionLost(rank);
    });
  }

  private tokenMatches(token: string): boolean {
    const a = Buffer.from(token);
    const b = Buffer.from(this.token);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  /** A hello with the right token: a new rank of the same world. Returns the problem, if any. */
  private admit(hello: Hello): string | undefined {
    const world = this.hellos[0]?.worldSize ?? hello.worldSize;
    if (hello.worldSize !== world) return `rank ${hello.rank} says worldSize ${hello.worldSize}, rank ${this.hellos[0].rank} said ${world}`;
    if (this.hellos.some((h) => h.rank === hello.rank)) return `rank ${hello.rank} connected twice`;
    this.hellos.push(hello);
    return undefined;
  }

  private broken(socket: Socket, rank: number | undefined, error: unknown): void {
    const why = error instanceof LiveProtocolError ? error.message : `unexpected ${(error as Error).message}`;
    socket.destroy();
    this.endWith(`The live session ended: ${rank === undefined ? 'a recorder' : `rank ${rank}`} sent a bad message (${why}).`);
  }

  private connectionLost(rank: number): void {
    this.ranks.delete(rank);
    if (!this.ended && this.endReason === undefined) {
      // The recorder's own `end` (or the process's exit) usually says more: give it a moment.
      setTimeout(() => this.endWith(`The live session ended: the connection to rank ${rank} was closed.`), 300);
    }
  }

  /** Ends the session: the reason is kept, the script is stopped. */
  endWith(reason: string): void {
    this.endReason ??= reason;
    this.stop();
  }

  welcome(stopAt: StopAt, stopOnNonFinite: boolean): void {
    this.sendAll({ type: 'welcome', protocol: LIVE_PROTOCOL_VERSION, token: this.token, stopAt, stopOnNonFinite });
  }

  /** The same command to every rank (docs/live-protocol.md §5: never to one). */
  sendAll(message: EditorMessage): void {
    const frame = encodeEditorMessage(message);
    for (const socket of this.ranks.values()) if (!socket.destroyed) socket.write(frame);
  }

  /** Asks the script to stop, then kills its process group (the ranks are its children) after a grace period. */
  stop(): void {
    this.endReason ??= 'The script was stopped.';
    if (this.exited || !this.child?.pid) return this.finish(this.endReason, null);
    this.sendAll({ type: 'stop' });
    const group = this.child.pid;
    const timer = setTimeout(() => killGroup(group, 'SIGKILL'), STOP_GRACE_MS);
    this.child.once('exit', () => {
      clearTimeout(timer);
      // Children of the script (ranks, workers) that outlive it.
      killGroup(group, 'SIGKILL');
    });
  }

  private finish(reason: string, exitCode: number | null): void {
    if (this.ended) return;
    this.ended = true;
    for (const socket of this.ranks.values()) socket.destroy();
    this.server.close();
    rmSync(this.folder, { recursive: true, force: true });
    this.listener({ type: 'ended', reason, exitCode });
    this.markFinished();
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}
