// Every shell block of every markdown file in docs/ runs, or is skipped with a reason pinned here.
// The blocks of one file run in order in one bash (set -euo pipefail) with the built CLI as
// `modelseal` on PATH, HOME in a temporary directory and a real docker-registry standing in for the
// registry the doc names. A ```text block after a block, or the output lines of a console transcript
// (`$ cmd` then what it prints), are what it prints: each line must appear, in order (`…` matches
// anything). What a doc assumes the reader already has is made by a test-only prelude, and what a
// test cannot reach is replaced; PLANS lists each prelude and replacement with its reason.
// docs/tutorial.md runs in documented-commands.test.ts.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_BIN, REPO } from '../cli-process.js';
import { startRegistry, type RunningRegistry } from '../registry/harness.js';
import { blockOutputs, cliBinDir, docsEnv, missingLines, shellBlocks, transcript } from './shell-blocks.js';

/** How one doc's blocks run: the test-only additions, each with why it is there. */
interface DocPlan {
  /** The reasons of the blocks the doc skips, in order (pinned: a new unrun block fails). */
  skips: string[];
  /** `repo`: the blocks run from the repository root, as the doc says; else in a fresh directory. */
  cwd: 'repo' | 'work';
  /** Shell run before the block with this index (among the doc's blocks), and why. */
  preludes: { before: number; script: string; why: string }[];
  /** Text replaced in the doc's blocks (each must match), and why. HOST is the test's registry. */
  replacements: { from: RegExp; to: string; why: string }[];
  /**
   * What the run must also show beyond the doc's output lines, given each run block's output, the
   * directory the blocks ran in and the test registry's host.
   */
  check?: (outputs: Map<number, string>, cwd: string, host: string) => void;
}

/** The fields of a CycloneDX BOM the checks read. */
interface CycloneDx {
  specVersion: string;
  metadata: { component: { version?: string; purl?: string; hashes?: unknown[] } };
}

const PKI = path.join(REPO, 'fixtures/interop/oms-python/keys/certificate');
const SAMPLE = path.join(REPO, 'fixtures/models/sample-model');
const NO_CLUSTER = 'no Kubernetes cluster here; the manifests are checked by test/kubernetes-schemas.test.ts';

const PLANS: Record<string, DocPlan | 'tutorial'> = {
  'docs/architecture.md': { skips: [], cwd: 'work', preludes: [], replacements: [] },
  'docs/performance.md': { skips: [], cwd: 'work', preludes: [], replacements: [] },
  'docs/reliability.md': { skips: [], cwd: 'work', preludes: [], replacements: [] },
  'docs/tutorial.md': 'tutorial',
  'docs/deploy.md': {
    skips: [NO_CLUSTER, `${NO_CLUSTER}; the admission webhook is tested in test/admission-webhook.test.ts`],
    cwd: 'work',
    preludes: [],
    replacements: [],
  },
  'docs/github-action.md': {
    skips: [
      'needs a model signed in a GitHub Actions workflow through public-good Sigstore, and `gh` with ghcr.io: unreachable here',
    ],
    cwd: 'work',
    preludes: [],
    replacements: [],
  },
  'docs/interop.md': {
    skips: [
      'uploads to public-good Rekor (unreachable here); test/tlog-upload.test.ts runs both modes against the local Rekor',
    ],
    cwd: 'work',
    preludes: [
      {
        before: 0,
        script: [
          `cp -r ${SAMPLE} my-model`,
          `cp ${PKI}/signing-key.pem leaf.key; cp ${PKI}/signing-key-cert.pem leaf.pem`,
          `cp ${PKI}/int-ca-cert.pem intermediate.pem; cp ${PKI}/ca-cert.pem root.pem`,
          'modelseal push ./my-model HOST/models/my-model:v1',
        ].join('\n'),
        why: 'the reader has a model pushed to a registry and a certificate chain (leaf, intermediate, root)',
      },
      {
        before: 2,
        script: [
          'openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout pinned.key \\',
          "  -out signing-key-cert.pem -subj '/CN=pinned signer' -days 1 \\",
          '  -addext keyUsage=critical,digitalSignature -addext extendedKeyUsage=codeSigning 2>/dev/null',
          'modelseal sign ./my-model --key pinned.key --certificate signing-key-cert.pem',
        ].join('\n'),
        why: 'the reader has a model signed with a self-signed signing certificate',
      },
    ],
    replacements: [
      {
        from: /127\.0\.0\.1:5000/g,
        to: 'HOST',
        why: 'the test starts its own docker-registry on a random port',
      },
    ],
    check: (outputs, cwd, host) => {
      // the signers are the prelude's certificates, and the BOM of the REF names the verified digest
      const verified = new RegExp(
        `^verified ${host}/models/my-model:v1@(sha256:[0-9a-f]{64}): oms \\+ cosign signature, signed by certificate CN=intermediate-ca \\(issuer CN=intermediate-ca\\)$`,
        'm',
      ).exec(outputs.get(0) ?? '');
      expect(verified, outputs.get(0)).not.toBeNull();
      expect(outputs.get(2)).toContain(
        'verified ./my-model: sha256:143cc682e555951649f18e2761c3d526d2502996f5e32dc187ef7f8a614f8df7, 10 files, signed by certificate CN=pinned signer (issuer CN=pinned signer)',
      );
      const digest = (verified as RegExpExecArray)[1];
      const bom = JSON.parse(readFileSync(path.join(cwd, 'bom.json'), 'utf8')) as CycloneDx;
      expect(bom.specVersion).toBe('1.6');
      expect(bom.metadata.component.version).toBe(digest);
      expect(bom.metadata.component.purl).toBe(
        `pkg:oci/my-model@${digest}?repository_url=${encodeURIComponent(`${host}/models/my-model`)}&tag=v1`,
      );
      const local = JSON.parse(readFileSync(path.join(cwd, 'my-model.cdx.json'), 'utf8')) as CycloneDx;
      expect(local.metadata.component.hashes).toEqual([
        { alg: 'SHA-256', content: '143cc682e555951649f18e2761c3d526d2502996f5e32dc187ef7f8a614f8df7' },
      ]);
    },
  },
  'docs/scan-and-watch.md': {
    skips: [],
    cwd: 'work',
    preludes: [
      {
        before: 0,
        script: [
          `cp -r ${SAMPLE} my-model`,
          'modelseal push ./my-model HOST/models/m:v1 > /dev/null',
          // protocol 2 pickle: GLOBAL torch.nn.modules.linear Linear, STOP
          "printf '\\x80\\x02ctorch.nn.modules.linear\\nLinear\\n.' > checkpoint.pt",
        ].join('\n'),
        why: 'the reader has a model, the same model in a registry, and a checkpoint importing a torch class',
      },
      {
        before: 1,
        script: [
          'rm -rf my-model && mkdir my-model',
          `printf '{"model_type": "llama"}\\n' > my-model/config.json`,
          'python3 -c \'import gzip,pickle,sys; sys.stdout.buffer.write(gzip.compress(pickle.dumps({"weights": list(range(5))}, protocol=4), mtime=0))\' > my-model/model.pkl.gz',
          'export COSIGN_PASSWORD=change-me',
          'modelseal keygen --output-prefix mykey > /dev/null',
          'modelseal policy init --key mykey.pub > policy.yaml',
          'modelseal push ./my-model oci:layout:v1 --sign --key mykey.key > /dev/null 2>&1',
        ].join('\n'),
        why: 'the transcript shows a model holding a gzip-compressed pickle, signed into an OCI layout, and a policy pinning its key with `scan: clean`',
      },
      {
        before: 2,
        script: [
          `mkdir models && cp -r ${SAMPLE} models/model`,
          'modelseal keygen --output-prefix model > /dev/null',
          'modelseal sign models/model --key model.key > /dev/null',
          'modelseal push models/model HOST/models/llama:v1 --sign --key model.key > /dev/null 2>&1',
          'modelseal policy init --key model.pub > policy.yaml',
        ].join('\n'),
        why: 'the reader has a deployed model signed by model.key (model.sig beside it), the same model signed in a registry, and the policy the init container enforced',
      },
    ],
    replacements: [
      {
        from: /127\.0\.0\.1:5000/g,
        to: 'HOST',
        why: 'the test starts its own docker-registry on a random port',
      },
      {
        from: /registry\.example\.com\//g,
        to: 'HOST/',
        why: 'the test starts its own docker-registry on a random port',
      },
      {
        from: /\/models\/model\b/g,
        to: 'models/model',
        why: 'the mounted model /models/model is a directory of the test',
      },
      {
        from: /\/etc\/modelseal\/policy\.yaml/g,
        to: 'policy.yaml',
        why: 'the mounted policy is a file of the test',
      },
      {
        from: /^modelseal watch (?!.*--once)(.*?)(\s+#.*)?$/gm,
        to: 'modelseal watch $1 --once$2',
        why: 'a watch without --once runs until SIGTERM; the test checks each once',
      },
    ],
    check: (outputs, cwd) => {
      // the --allow scan is clean because of the allow-list: the same file without it is flagged
      expect(outputs.get(0)).toMatch(/^checkpoint\.pt {2}pickle {2}35 B {2}clean\s*$/m);
      const unallowed = spawnSync(process.execPath, [CLI_BIN, 'scan', path.join(cwd, 'checkpoint.pt')], {
        encoding: 'utf8',
      });
      expect(unallowed.status).toBe(1);
      expect(unallowed.stdout).toContain(
        'checkpoint.pt at byte 2: pickle imports torch.nn.modules.linear.Linear (GLOBAL, not on the safe list)',
      );
      // every watch --once found the model unchanged: exit 0 (set -e) and not one drift line
      expect(outputs.get(2)).toBe('\n');
    },
  },
  'docs/training.md': {
    skips: [],
    cwd: 'repo',
    preludes: [
      {
        before: 1,
        script: 'cd "$WORK"',
        why: 'push runs in the directory where the try-it block left its checkpoint and key',
      },
    ],
    replacements: [
      {
        from: /registry\.example\//g,
        to: 'HOST/',
        why: 'the test starts its own docker-registry on a random port',
      },
    ],
    check: (outputs) => {
      // the signature sign --follow made is over the bytes on disk: its root is the root of `hash`
      const tryIt = outputs.get(0) ?? '';
      const root = (JSON.parse(tryIt.slice(tryIt.search(/^\{$/m))) as { root: string }).root;
      expect(tryIt).toContain(`signed ckpt (sha256:${root}, 7 resources, key) on until-file`);
      // push --follow uploaded every blob while following: none was left for the end
      expect(outputs.get(1)).toMatch(/^uploaded model-00004-of-00004\.safetensors \(sha256:[0-9a-f]{64}\)$/m);
    },
  },
};

let registry: RunningRegistry;
const tmp = mkdtempSync(path.join(tmpdir(), 'ms-every-doc-'));
beforeAll(async () => {
  registry = await startRegistry();
}, 60_000);
afterAll(async () => {
  await registry?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const docs = readdirSync(path.join(REPO, 'docs'))
  .filter((f) => f.endsWith('.md'))
  .map((f) => `docs/${f}`)
  .sort();

it('every markdown file in docs/ has a plan for its shell blocks', () => {
  expect(docs).toEqual(Object.keys(PLANS).sort());
});

describe.each(docs.filter((f) => PLANS[f] !== 'tutorial'))('%s', (file) => {
  const plan = PLANS[file] as DocPlan;
  const blocks = shellBlocks(readFileSync(path.join(REPO, file), 'utf8'));

  it('skips only the blocks pinned here, each with its reason', () => {
    expect(blocks.filter((b) => b.skip !== undefined).map((b) => b.skip)).toEqual(plan.skips);
  });

  const run = blocks.filter((b) => b.skip === undefined);
  it.runIf(run.length > 0)(
    'runs every other block and it prints what the doc shows',
    () => {
      const bin = cliBinDir(tmp);
      const home = mkdtempSync(path.join(tmp, 'home-'));
      const work = mkdtempSync(path.join(tmp, 'work-'));
      const host = (s: string) => s.replaceAll('HOST', registry.host);
      const parts: string[] = ['exec 2>&1'];
      const expected = new Map<number, string[]>();
      const matched = new Set<string>();
      for (const [k, b] of blocks.entries()) {
        if (b.skip !== undefined) continue;
        for (const p of plan.preludes.filter((x) => x.before === k)) parts.push(host(p.script));
        const t = transcript(b.script);
        let script = t?.script ?? b.script;
        for (const r of plan.replacements) {
          const before = script;
          script = script.replace(r.from, r.to);
          if (script !== before) matched.add(r.why);
        }
        parts.push(`echo '@@block ${k}@@'`, host(script));
        const lines = (t?.expected ?? b.expected).map((l) =>
          plan.replacements.reduce((s, x) => s.replace(x.from, x.to), l),
        );
        expected.set(k, lines.map(host));
      }
      expect([...matched], 'a replacement matched nothing').toEqual([
        ...new Set(plan.replacements.map((x) => x.why)),
      ]);
      const env = docsEnv();
      const r = spawnSync('bash', ['-euo', 'pipefail', '-c', parts.join('\n')], {
        cwd: plan.cwd === 'repo' ? REPO : work,
        encoding: 'utf8',
        timeout: 120_000,
        env: { ...env, HOME: home, PATH: `${bin}:${env.PATH}`, TMPDIR: tmp },
      });
      const outputs = blockOutputs(r.stdout);
      const last = Math.max(-1, ...outputs.keys());
      expect(r.status, `${file}:${blocks[last]?.line ?? 1} failed:\n${r.stdout}`).toBe(0);
      expect([...outputs.keys()]).toEqual([...expected.keys()]);
      for (const [k, lines] of expected)
        expect(
          missingLines(lines, outputs.get(k) ?? ''),
          `${file}:${blocks[k].line} printed:\n${outputs.get(k)}`,
        ).toEqual([]);
      plan.check?.(outputs, plan.cwd === 'repo' ? REPO : work, registry.host);
    },
    120_000,
  );
});
