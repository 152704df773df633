// Throw-away model directories for tests: `modelDirs('prefix')` gives a factory that writes
// `{relative path: content}` into a fresh directory under one temp root, and a cleanup.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface ModelDirs {
  /** the temp root holding every model made */
  base: string;
  /** make a model directory from `{relative path: content}` */
  model(files: Record<string, Buffer | string>): string;
  cleanup(): void;
}

export function modelDirs(prefix: string): ModelDirs {
  const base = mkdtempSync(path.join(tmpdir(), prefix));
  let counter = 0;
  return {
    base,
    model(files) {
      const root = path.join(base, `m${counter++}`);
      mkdirSync(root);
      for (const [rel, content] of Object.entries(files)) {
        mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
        writeFileSync(path.join(root, rel), content);
      }
      return root;
    },
    cleanup: () => rmSync(base, { recursive: true, force: true }),
  };
}
