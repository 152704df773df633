// Issue 20 end to end: each attack file really runs a command under CPython's pickle.load (proved here
// with python3 on a marker file), and `pull --policy` with `weights: {formats: [safetensors], scan:
// clean}` refuses the signed artifact carrying it (exit 1, SCAN_FAILED / WEIGHT_FORMAT_DENIED, DEST
// absent). Before issue 20 the safetensors/pickle polyglot passed this policy.
import { spawnSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ggufMagicPickle,
  memoUnderscorePickle,
  safetensorsPicklePolyglot,
  systemCall,
  tfliteMagicPickle,
  torchLegacySecondPickle,
} from './scan/attack-files.js';
import { cliSandbox, ensureBuilt, PASSWORD_ENV, signArgs, TEST_PUB } from './hardening/cli-process.js';

const box = cliSandbox('ms-scan-attacks-');
const at = (...p: string[]) => path.join(box.dir, ...p);
afterAll(box.cleanup);
beforeAll(ensureBuilt);

/** python3 from Debian (.ci/run installs it); pickle.load `loads` times from the file. */
function pickleLoad(file: string, loads: number): void {
  const py =
    'import pickle, sys\nf = open(sys.argv[1], "rb")\nfor _ in range(int(sys.argv[2])):\n    pickle.load(f)';
  spawnSync('/usr/bin/python3', ['-c', py, file, String(loads)], { encoding: 'utf8' });
}

function policy(formats: string, extra = ''): string {
  const pem = readFileSync(TEST_PUB, 'utf8').trim().split('\n').join('\n          ');
  writeFileSync(
    at(`weights-${(formats + extra).replace(/\W+/g, '-')}.yaml`),
    `apiVersion: modelseal.dev/v1alpha1
kind: ModelPolicy
metadata: {name: weights}
spec:
  mode: enforce
  identities:
    release:
      key:
        publicKey: |
          ${pem}
  require:
    signatures:
      oms: {signedBy: [release]}
    weights: {formats: [${formats}], scan: clean${extra}}
`,
  );
  return `weights-${(formats + extra).replace(/\W+/g, '-')}.yaml`;
}

/** [what, file name, builder, pickle.load calls, policy formats, the refusal's first line] */
const attacks: [string, string, (cmd: string) => Buffer, number, string, string][] = [
  [
    'safetensors/pickle polyglot',
    'pytorch_model.bin',
    safetensorsPicklePolyglot,
    1,
    'safetensors',
    'weights.formats: pytorch_model.bin is polyglot, not one of safetensors',
  ],
  [
    'GGUF magic',
    'model.pkl',
    ggufMagicPickle,
    1,
    'safetensors, gguf, pickle',
    'weights.formats: model.pkl is polyglot, not one of safetensors, gguf, pickle',
  ],
  [
    'TFL3 at bytes 4-7',
    'model.pkl',
    tfliteMagicPickle,
    1,
    'tflite, pickle',
    'weights.scan: model.pkl: model.pkl at byte 9: pickle imports os.system (GLOBAL, runs code)',
  ],
  [
    'torch legacy, second pickle without PROTO',
    'pytorch_model.bin',
    torchLegacySecondPickle,
    2,
    'pickle',
    'weights.scan: pytorch_model.bin: pytorch_model.bin at byte 15: pickle imports os.system (GLOBAL, runs code)',
  ],
  [
    'memo key 1_0',
    'model.pkl',
    memoUnderscorePickle,
    1,
    'pickle',
    'weights.scan: model.pkl: model.pkl at byte 62: pickle imports os.system (STACK_GLOBAL, runs code)',
  ],
];

describe('pull --policy refuses every issue-20 attack', () => {
  for (const [what, name, build, loads, formats, why] of attacks) {
    it(`${what} (${name}): runs a command under pickle.load, and pull --policy refuses it`, () => {
      const slug = what.replace(/[^a-z0-9]+/gi, '-');
      const marker = at(`${slug}.pwned`);
      const model = at(`model-${slug}`);
      mkdirSync(model);
      const file = path.join(model, name);
      writeFileSync(file, build(`touch ${marker}`));
      writeFileSync(path.join(model, 'config.json'), '{"model_type": "llama"}\n');

      pickleLoad(file, loads);
      expect(existsSync(marker)).toBe(true); // the attack is real

      const layout = `oci:layout-${slug}:v1`;
      expect(box.run(['push', model, layout]).code).toBe(0);
      const signed = box.run(signArgs(layout), PASSWORD_ENV);
      expect([signed.code, signed.stderr]).toEqual([0, expect.stringContaining('signed oci:layout-')]);
      const dest = `out-${slug}`;
      const r = box.run(['pull', layout, dest, '--policy', policy(formats)]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/error\[(SCAN_FAILED|WEIGHT_FORMAT_DENIED)\]/);
      expect(r.stderr).toContain(why);
      expect(existsSync(at(dest))).toBe(false);
    });
  }
});

describe('scan: clean refuses a file of unknown format unless the policy names it', () => {
  it('a gzip-compressed pickle (model.pkl.gz) runs a command under pickle.load(gzip.open(...)); pull --policy refuses it, scan shows it unknown', () => {
    const marker = at('gzip-pickle.pwned');
    const model = at('model-gzip');
    mkdirSync(model);
    const file = path.join(model, 'model.pkl.gz');
    writeFileSync(file, gzipSync(systemCall(`touch ${marker}`)));
    writeFileSync(path.join(model, 'config.json'), '{"model_type": "llama"}\n');
    const py = 'import gzip, pickle, sys\npickle.load(gzip.open(sys.argv[1]))';
    spawnSync('/usr/bin/python3', ['-c', py, file], { encoding: 'utf8' });
    expect(existsSync(marker)).toBe(true); // the attack is real

    // the scanner finds nothing in it (no loader it knows accepts gzip) and says so
    const scanned = box.run(['scan', model]);
    expect(scanned.code).toBe(0);
    expect(scanned.stdout).toMatch(/^model\.pkl\.gz +unknown +/m);
    expect(scanned.stdout).toContain(
      '1 file of unknown format: no loader modelseal knows accepts it; a policy with `scan: clean` refuses it unless `weights.allowUnknown` names it',
    );
    const json = JSON.parse(box.run(['scan', model, '--json']).stdout) as { path: string; format: string }[];
    expect(json.map((f) => [f.path, f.format])).toEqual([
      ['config.json', 'json'],
      ['model.pkl.gz', 'unknown'],
    ]);

    const layout = 'oci:layout-gzip:v1';
    expect(box.run(['push', model, layout]).code).toBe(0);
    expect(box.run(signArgs(layout), PASSWORD_ENV).code).toBe(0);
    const refused = box.run(['pull', layout, 'out-gzip', '--policy', policy('safetensors')]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      'error[SCAN_FAILED]: policy weights: weights.scan: model.pkl.gz is of unknown format: no loader the scanner knows accepts it, so it cannot be shown safe; name it in weights.allowUnknown to let it through',
    );
    expect(existsSync(at('out-gzip'))).toBe(false);

    // named by the policy (anchored: '*.gz' would not match a file in a subdirectory), it lands
    const named = box.run([
      'pull',
      layout,
      'out-gzip',
      '--policy',
      policy('safetensors', ", allowUnknown: ['*.gz']"),
    ]);
    expect([named.code, named.stderr]).toEqual([0, expect.any(String)]);
    expect(readFileSync(at('out-gzip', 'model.pkl.gz'))).toEqual(readFileSync(file));
  });
});
