// The inspector's commands on a recorded trace, and what opening a trace file tells the user.
// Needs only `l10n` from VS Code, so the tests run it with the stand-in.
import type { InspectorCommand } from '../protocol/messages';
import type { TraceContents } from '../protocol/traceFile';
import { l10n } from './l10n';
import type { TraceMove, TraceSession } from './traceSession';

/** Runs an inspector command on a trace session; resolves to what to tell the user, if anything. */
export async function runTraceCommand(session: TraceSession, command: InspectorCommand): Promise<string | undefined> {
  if (command.name !== 'pause' && command.name !== 'setSpeed' && command.name !== 'run') await session.pause();
  const atEnd = (move: TraceMove) => (move.moved ? undefined : l10n.t('The trace ends at step {0}.', session.latestStep));
  switch (command.name) {
    case 'step':
      return atEnd(session.step());
    case 'stepBack':
      session.stepBack();
      return undefined;
    case 'stepInto':
      return l10n.t('A trace holds whole steps, so Step Into is not available; Step shows the next recorded step.');
    case 'reset':
    case 'goToStep':
      session.goToStep(command.name === 'reset' ? 0 : command.step);
      return undefined;
    case 'pause':
      return session.pause().then(() => undefined);
    case 'setSpeed':
      session.stepsPerSecond = command.stepsPerSecond;
      return undefined;
    case 'run':
      if (session.running) return session.pause().then(() => undefined);
      session.stepsPerSecond = command.stepsPerSecond;
      return atEnd(await session.play());
    case 'runEpoch':
      return atEnd(session.endOfEpoch());
    case 'runUntil': {
      const move = session.runUntil(command.until);
      return move.moved ? undefined : l10n.t('No recorded step after this one meets the condition; the trace ends at step {0}.', session.latestStep);
    }
  }
}

/** What to say on opening: an error when nothing can be shown, else warnings (a bad line, left-out layers). */
export function openingReport(contents: TraceContents): { error?: string; warnings: string[] } {
  const { records, problem, omitted } = contents;
  if (records.length === 0) return { error: problem?.message ?? l10n.t('The trace has no steps.'), warnings: [] };
  const warnings: string[] = [];
  if (problem) warnings.push(l10n.t('{0}. The {1} steps before it are open.', problem.message, records.length));
  if (omitted.length > 0) {
    const names = [...new Set(omitted.map((o) => `${o.module ?? '?'} (${o.type ?? '?'})`))].join(', ');
    warnings.push(l10n.t('The inspector shows the dense layers (nn.Linear and its activation) of this trace; these modules are not shown, as their local gradients are not recorded: {0}.', names));
  }
  return { warnings };
}
