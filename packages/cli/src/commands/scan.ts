// `modelseal scan DIR|REF`: weight formats by content, pickle imports outside the safe list, and
// safetensors headers. Exit 0 clean, 1 on any finding, 2 on bad input.
import type { Command } from 'commander';
import { scan, type ScannedFile, type ScanReport } from '@modelseal/core';
import { escapeControl, formatBytes, printJson } from '../output.js';
import { EXIT_VERIFY_FAILED } from '../exit-codes.js';
import { MODEL_ARGUMENT_HELP, openModelArgument } from './model-argument.js';
import { addRegistryFlags, type RegistryFlags } from './registry-flags.js';
import { collect } from './repeatable-option.js';

/** What the FLAGGED column says about one file. */
function flaggedText(f: ScannedFile): string {
  return f.findings
    .map((x) => {
      const at = `${x.member ? `${x.member}:` : ''}${x.offset ?? ''}`;
      return x.import !== undefined ? `${x.import} @${at}` : `${x.kind}${at ? ` @${at}` : ''}`;
    })
    .join(', ');
}

/** The report as a table: FILE, FORMAT, SIZE, VERDICT, FLAGGED; then one line per finding. */
export function renderScan(r: ScanReport): string {
  // Paths, pickle import names and messages come from the model: escaped before widths are measured.
  const rows = r.files.map((f) =>
    [f.path, f.format, formatBytes(f.size), f.verdict + (f.verified ? '' : '*'), flaggedText(f)].map(
      escapeControl,
    ),
  );
  const head = ['FILE', 'FORMAT', 'SIZE', 'VERDICT', 'FLAGGED'];
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(width[i]))
      .join('  ')
      .trimEnd();
  const out = [line(head), ...rows.map(line)];
  if (r.files.some((f) => !f.verified))
    out.push('* judged from the first bytes of the layer (not digest-checked)');
  const unknown = r.files.filter((f) => f.format === 'unknown').length;
  if (unknown > 0)
    out.push(
      `${counted(unknown, 'file')} of unknown format: no loader modelseal knows accepts ${them(unknown)}; a policy with \`scan: clean\` refuses ${them(unknown)} unless \`weights.allowUnknown\` names ${them(unknown)}`,
    );
  out.push('');
  for (const x of r.findings) out.push(escapeControl(`finding: ${x.message}`));
  const flagged = r.files.filter((f) => f.verdict === 'flagged').length;
  out.push(
    escapeControl(
      `${r.source}: ${counted(r.files.length, 'file')} scanned, ${flagged} flagged, ${counted(r.findings.length, 'finding')}`,
    ),
  );
  return `${out.join('\n')}\n`;
}

/** `1 file`, `2 files`, `0 files`. */
function counted(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** `it` for one, `them` for more. */
const them = (n: number) => (n === 1 ? 'it' : 'them');

/** The parsed flags of `scan`. */
interface ScanFlags extends RegistryFlags {
  allow: string[];
  fetchAll: boolean;
  json: boolean;
}

export function registerScan(program: Command): void {
  const cmd = program
    .command('scan')
    .description(
      'Check weight formats by content, pickle imports and safetensors headers (never loads a file)',
    )
    .argument('<model>', MODEL_ARGUMENT_HELP)
    .option(
      '--allow <global>',
      'also allow this pickle import (module.name or module.*); repeatable',
      collect,
      [],
    )
    .option(
      '--fetch-all',
      'for a REF: download every layer and check its digest, not only what the scan needs',
      false,
    )
    .option('--json', 'print the scanned files as a JSON list', false);
  addRegistryFlags(cmd);
  cmd.addHelpText(
    'after',
    `
Pickle-based files (.bin .pt .pth .ckpt .pkl, and archive/data.pkl inside a torch zip) are parsed opcode
by opcode; every imported global is listed and those outside the safe list (torch rebuild functions,
collections.OrderedDict, numpy arrays, ...) are flagged with file and byte offset. Imports that run code
(os, subprocess, builtins.eval, runpy, ...) stay flagged even with --allow.
For a REF, pickles are downloaded whole and checked against their layer digest; other layers are judged
from their first bytes (marked * in the table) unless --fetch-all.
A file no loader modelseal knows accepts is listed as FORMAT unknown (exit 0: nothing was found in it);
a policy with \`scan: clean\` refuses it unless \`weights.allowUnknown\` names it.

Exit status: 0 clean, 1 findings, 2 usage or unreadable input.

Examples:
  $ modelseal scan ./my-model
  $ modelseal scan 127.0.0.1:5000/models/my-model:v1 --json | jq '.[] | select(.verdict=="flagged")'
  $ modelseal scan ./checkpoint.pt --allow 'torch.nn.modules.linear.Linear'
`,
  );
  cmd.action(async (model: string, flags: ScanFlags) => {
    const source = await openModelArgument(model, flags);
    const report = await scan(source, {
      allowGlobals: flags.allow,
      ...(flags.fetchAll ? { fetchAll: true } : {}),
    });
    if (flags.json) printJson(report.files);
    else process.stdout.write(renderScan(report));
    if (!report.clean) process.exitCode = EXIT_VERIFY_FAILED;
  });
}
