// `--exec CMD`: run a shell command when drift is seen (a webhook call, a pod-kill script). The events
// go to its stdin as JSON lines and to MODELSEAL_DRIFT as a JSON array; its output goes to our stderr.
import { spawn } from 'node:child_process';
import type { DriftEvent } from './drift-event.js';

/**
 * Run `command` with `/bin/sh -c` for `events`; resolves with its exit code (never rejects: a failing
 * hook must not stop the watch; a spawn failure resolves -1).
 */
export function runDriftCommand(command: string, events: DriftEvent[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', command], {
      stdio: ['pipe', process.stderr, process.stderr],
      env: { ...process.env, MODELSEAL_DRIFT: JSON.stringify(events) },
    });
    child.on('error', () => resolve(-1));
    child.on('close', (code) => resolve(code ?? -1));
    child.stdin.on('error', () => undefined);
    child.stdin.end(events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  });
}
