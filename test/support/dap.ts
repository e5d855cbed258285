// Stepping requests over DAP as the tests send them: each returns the `stopped` event it causes
// (listened for before the request goes, so a quick stop is not missed). `client` gives the suite's
// current DebugClient (each test starts its own).
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';

export function stepping(client: () => DebugClient) {
  const thread = { threadId: 1 };
  async function move(request: (dc: DebugClient) => Promise<unknown>): Promise<DebugProtocol.StoppedEvent> {
    const stopped = client().waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    await request(client());
    return stopped;
  }
  return {
    stepIn: () => move((dc) => dc.stepInRequest(thread)),
    next: () => move((dc) => dc.nextRequest(thread)),
    stepOut: () => move((dc) => dc.stepOutRequest(thread)),
    stepBack: () => move((dc) => dc.stepBackRequest(thread)),
    cont: () => move((dc) => dc.continueRequest(thread)),
    reverse: () => move((dc) => dc.reverseContinueRequest(thread)),
  };
}
