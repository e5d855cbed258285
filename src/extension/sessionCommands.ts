// The inspector commands on a session, shared by the palette and the webview: each move with its
// progress notification and the message that says why it stopped.
import * as vscode from 'vscode';
import type { InspectorCommand, RunUntil } from '../protocol/messages';
import { RUN_SPEED } from '../protocol/messages';
import { l10n } from './l10n';
import { describeUntil } from './prompts';
import { announceOutcome, withRunProgress } from './runProgress';
import type { RunOutcome, SessionRegistry, TrainingSession } from './session';

function runSettings() {
  const config = vscode.workspace.getConfiguration('backprop');
  return {
    stepsPerSecond: config.get<number>('run.stepsPerSecond', RUN_SPEED.default),
    maxSteps: config.get<number>('run.maxSteps', 100_000),
  };
}

export class SessionCommands {
  constructor(private readonly registry: SessionRegistry) {}

  /** Runs one inspector command on a session, with progress and error reporting; the palette and the webview share it. */
  async run(session: TrainingSession, command: InspectorCommand): Promise<void> {
    this.registry.setActive(session.uri);
    switch (command.name) {
      case 'step':
        return announceOutcome(session, await session.step());
      case 'stepInto':
        return announceOutcome(session, await session.stepInto());
      case 'stepBack': {
        const moved = await session.stepBack();
        if (typeof moved !== 'boolean') announceOutcome(session, moved);
        return;
      }
      case 'reset': {
        const refusal = await session.reset();
        if (refusal) announceOutcome(session, refusal);
        return;
      }
      case 'goToStep': {
        const outcome = await this.goToStep(session, command.step);
        if (outcome.kind !== 'cancelled') announceOutcome(session, outcome);
        return;
      }
      case 'pause':
        return session.pause();
      case 'setSpeed':
        session.stepsPerSecond = command.stepsPerSecond;
        return;
      case 'run':
        return this.longRun(session, l10n.t('Training {0}', session.name), { stepsPerSecond: command.stepsPerSecond });
      case 'runEpoch':
        return this.longRun(session, l10n.t('Running epoch {0} of {1}', session.position.epoch, session.name), { fullSpeed: true, toEpochEnd: true });
      case 'runUntil':
        return this.longRun(session, l10n.t('Training {0} until {1}', session.name, describeUntil(command.until)), { fullSpeed: true, until: command.until });
    }
  }

  /** Run or, while running, pause (the palette's Run/Pause toggle). */
  async runPause(session: TrainingSession): Promise<void> {
    if (session.running) return session.pause();
    const speed = session.viewState?.speed ?? runSettings().stepsPerSecond;
    return this.run(session, { name: 'run', stepsPerSecond: speed });
  }

  /** Goes to a step; one ahead trains forward at full speed under a cancellable progress notification. */
  async goToStep(session: TrainingSession, step: number): Promise<RunOutcome> {
    if (session.mover && session.mover !== 'inspector') return { kind: 'refused', by: session.mover };
    await session.pause();
    const ahead = step - session.completedSteps;
    if (ahead <= 0) return session.goToStep(step);
    return withRunProgress(session, l10n.t('Going to step {0} of {1}', step, session.name), ahead, (control) => session.goToStep(step, control));
  }

  private async longRun(
    session: TrainingSession,
    title: string,
    options: { stepsPerSecond?: number; fullSpeed?: boolean; until?: RunUntil; toEpochEnd?: boolean },
  ): Promise<void> {
    // The toggle: a second press pauses the inspector's run; the debugger's run refuses it (below).
    if (session.mover === 'inspector') return session.pause();
    if (session.mover) return announceOutcome(session, { kind: 'refused', by: session.mover });
    const { maxSteps } = runSettings();
    const target = options.until?.kind === 'steps' ? options.until.value : options.toEpochEnd ? session.summary.dataset.batchesPerEpoch : undefined;
    const outcome = await withRunProgress(session, title, target, (control) => session.advance({ ...options, ...control, mover: 'inspector', maxSteps }));
    announceOutcome(session, outcome);
  }
}
