// The OCI commands: push, pull, inspect and copy (each in its own file).
import type { Command } from 'commander';
import { registerCopy } from './copy.js';
import { registerInspect } from './inspect.js';
import { registerPull } from './pull.js';
import { registerPush } from './push.js';

export function registerOci(program: Command): void {
  registerPush(program);
  registerPull(program);
  registerInspect(program);
  registerCopy(program);
}
