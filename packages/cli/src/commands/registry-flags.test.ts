// Walks the real commander program: every command that takes an artifact reference (a REF or
// MODEL|REF argument, or --ref) has every registry flag, once; every MODEL|REF argument has the one
// help text; and each MODEL|REF command's --help shows an example of both forms.
import type { Command } from 'commander';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../program.js';
import { MODEL_ARGUMENT_HELP } from './model-argument.js';
import { REGISTRY_FLAG_NAMES } from './registry-flags.js';

/** `admission serve` -> the full name of each command, subcommands included. */
function allCommands(program: Command): Array<[string, Command]> {
  const out: Array<[string, Command]> = [];
  const walk = (c: Command, prefix: string): void => {
    for (const sub of c.commands) {
      const name = `${prefix}${sub.name()}`;
      out.push([name, sub]);
      walk(sub, `${name} `);
    }
  };
  walk(program, '');
  return out;
}

/** Arguments that name a stored artifact: REF-only ones, or the MODEL|REF ones (by their help). */
const takesReference = (c: Command): boolean =>
  c.registeredArguments.some(
    (a) => ['ref', 'src', 'dst'].includes(a.name()) || a.description === MODEL_ARGUMENT_HELP,
  ) || c.options.some((o) => o.long === '--ref');

const isModelOrReference = (c: Command): boolean =>
  c.registeredArguments.some((a) => a.description === MODEL_ARGUMENT_HELP);

let commands: Array<[string, Command]>;
beforeAll(async () => {
  commands = allCommands(await buildProgram());
});

describe('registry flags on every command that takes an artifact reference', () => {
  it('finds exactly the commands that take a REF', () => {
    expect(
      commands
        .filter(([, c]) => takesReference(c))
        .map(([n]) => n)
        .sort(),
    ).toEqual(
      [
        'attest',
        'copy',
        'inspect',
        'provenance',
        'pull',
        'push',
        'sbom',
        'scan',
        'sign',
        'verify',
        'verify-attestation',
        'watch',
      ].sort(),
    );
  });

  it('each of them has every registry flag, exactly once', () => {
    const missing: string[] = [];
    for (const [name, c] of commands.filter(([, c]) => takesReference(c))) {
      for (const flag of REGISTRY_FLAG_NAMES) {
        const n = c.options.filter((o) => o.long === flag).length;
        if (n !== 1) missing.push(`${name} ${flag} x${n}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('--concurrency only where blobs move (push, pull, copy)', () => {
    const withConcurrency = commands
      .filter(([, c]) => c.options.some((o) => o.long === '--concurrency'))
      .map(([n]) => n)
      .sort();
    expect(withConcurrency).toEqual(['copy', 'pull', 'push']);
  });
});

describe('the MODEL|REF argument', () => {
  it('is named by the one help text on every model verb', () => {
    expect(MODEL_ARGUMENT_HELP).toMatch(/^model directory, file, or artifact reference /);
    expect(
      commands
        .filter(([, c]) => isModelOrReference(c))
        .map(([n]) => n)
        .sort(),
    ).toEqual(['attest', 'provenance', 'sbom', 'scan', 'sign', 'verify', 'verify-attestation']);
  });

  it('--help shows a model on disk and an artifact reference in its examples', () => {
    const lacking: string[] = [];
    for (const [name, c] of commands.filter(([, c]) => isModelOrReference(c))) {
      let help = '';
      c.configureOutput({ writeOut: (s) => void (help += s) });
      c.outputHelp();
      const examples = help.slice(help.indexOf('Examples:')).split('\n');
      const invocations = examples.filter((l) => l.includes(`modelseal ${name} `));
      const onDisk = invocations.some((l) => new RegExp(`modelseal ${name} \\./`).test(l));
      const reference = invocations.some((l) =>
        new RegExp(`modelseal ${name} (oci:|[a-z0-9][a-z0-9.-]*(:[0-9]+)?/)`).test(l),
      );
      if (!onDisk || !reference) lacking.push(`${name}: disk ${onDisk}, reference ${reference}`);
    }
    expect(lacking).toEqual([]);
  });
});
