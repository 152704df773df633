// Reads a password from the terminal without echo (for encrypted cosign keys and keygen).
// Only on a TTY; otherwise callers tell the user to set COSIGN_PASSWORD.
import { ModelsealError } from '@modelseal/core/hashing';

export function canPrompt(): boolean {
  return process.stdin.isTTY === true && process.stderr.isTTY === true;
}

/** Asks `question` on stderr and reads one line from the TTY with echo off. */
export async function promptPassword(question: string): Promise<string> {
  if (!canPrompt())
    throw new ModelsealError(
      'BAD_PASSWORD',
      'a password is needed: set COSIGN_PASSWORD (no terminal to ask on)',
    );
  const stdin = process.stdin;
  stdin.setRawMode(true); // echo off before the prompt shows, so nothing typed ahead is echoed
  process.stderr.write(question);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise((resolve, reject) => {
    let typed = '';
    const done = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') {
          done();
          resolve(typed);
          return;
        }
        if (ch === '\u0003' || ch === '\u0004') {
          done();
          reject(new ModelsealError('USAGE', 'password prompt cancelled'));
          return;
        }
        typed = ch === '\u007f' || ch === '\b' ? typed.slice(0, -1) : typed + ch;
      }
    };
    stdin.on('data', onData);
  });
}
