// Host unit tests run in plain Node, where the `vscode` module does not exist. Importing this file
// first makes `import * as vscode from 'vscode'` resolve to ./vscodeStub for the rest of the run.
import Module from 'node:module';

const stubPath = require.resolve('./vscodeStub');
const moduleInternals = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
const resolveFilename = moduleInternals._resolveFilename;
moduleInternals._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]) {
  return request === 'vscode' ? stubPath : resolveFilename.call(this, request, ...rest);
};
