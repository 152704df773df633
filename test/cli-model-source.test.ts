// One MODEL|REF rule and one set of registry flags for every model verb, through the real CLI:
// - a path that does not exist is NOT_FOUND (exit 2) for sign, verify, verify --policy, attest,
//   verify-attestation, sbom, provenance and scan, and a registry that records requests sees none;
// - against an htpasswd-protected docker-registry, each of those verbs (none had registry flags
//   before) works with --username/--password-stdin and is refused (REGISTRY_AUTH) without them;
//   --registry-config takes credentials from one Docker config file;
// - --max-referrers 1 on an artifact with two referrers is TOO_MANY_REFERRERS.
import { execFile, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newKeyPair, publicKeyPem } from '../packages/core/src/keys.js';
import { CLI_BIN, REPO } from './cli-process.js';
import { keyPolicyYaml } from './policy/key-policy.js';
import { startRegistry, type RunningRegistry } from './registry/harness.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'ms-cli-source-'));
const trainer = newKeyPair();
const privateKey = path.join(tmp, 'trainer.key');
const publicKey = path.join(tmp, 'trainer.pub');
const policy = path.join(tmp, 'policy.yaml');
const predicate = path.join(tmp, 'predicate.json');
const noDockerConfig = path.join(tmp, 'no-docker-config');
let registry: RunningRegistry;
let recorder: Server;
const recorded: string[] = [];
let model: string;

/** The CLI as a process with no ambient registry credentials; `input` is its stdin. */
function modelseal(args: string[], input = '', env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI_BIN, ...args], {
    encoding: 'utf8',
    cwd: tmp,
    input,
    timeout: 60_000,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: tmp,
      DOCKER_CONFIG: noDockerConfig,
      REGISTRY_AUTH_FILE: path.join(tmp, 'no-auth.json'),
      ...env,
    },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `args` with the htpasswd user's --username and --password-stdin (the password on stdin). */
function withLogin(args: string[]) {
  return modelseal([...args, '--username', registry.username!, '--password-stdin'], `${registry.password}\n`);
}

beforeAll(async () => {
  writeFileSync(privateKey, trainer.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(publicKey, publicKeyPem(trainer.publicKey));
  mkdirSync(noDockerConfig);
  writeFileSync(predicate, JSON.stringify({ note: 'reviewed' }));
  writeFileSync(
    policy,
    keyPolicyYaml({
      name: 'auth-ref',
      publicKeyPem: publicKeyPem(trainer.publicKey),
      sbom: {}, // an SBOM attestation signed by the trainer must be among the referrers
    }),
  );
  model = path.join(tmp, 'model');
  cpSync(path.join(REPO, 'fixtures/models/sample-model'), model, { recursive: true });
  recorder = createServer((req, res) => {
    recorded.push(`${req.method} ${req.url}`);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => recorder.listen(0, '127.0.0.1', resolve));
  registry = await startRegistry({ auth: 'htpasswd' });
});

afterAll(async () => {
  await registry?.close();
  await new Promise<void>((resolve) => (recorder ? recorder.close(() => resolve()) : resolve()));
  rmSync(tmp, { recursive: true, force: true });
});

describe('a MODEL argument that does not exist', () => {
  const notFound =
    'modelseal: error[NOT_FOUND]: ./typo does not exist (and is not an artifact reference: write host[:port]/repository[:tag] or oci:PATH[:tag])\n';

  it('is NOT_FOUND (exit 2) for every model verb, and no registry is asked', async () => {
    const runs: Array<[string, string[]]> = [
      ['sign', ['sign', './typo', '--key', privateKey]],
      ['verify', ['verify', './typo', '--key', publicKey]],
      ['verify --policy', ['verify', './typo', '--policy', policy]],
      ['attest', ['attest', './typo', '--predicate', predicate, '--key', privateKey]],
      ['verify-attestation', ['verify-attestation', './typo', '--key', publicKey]],
      ['sbom', ['sbom', './typo']],
      ['provenance', ['provenance', './typo', '--no-source']],
      ['scan', ['scan', './typo']],
      // the registry flags are only read for a reference: the password is never asked for
      ['sign + login', ['sign', './typo', '--key', privateKey, '--username', 'u', '--password-stdin']],
    ];
    for (const [what, args] of runs) {
      const r = modelseal(args, 'secret\n');
      expect({ what, code: r.code, stderr: r.stderr, stdout: r.stdout }).toEqual({
        what,
        code: 2,
        stderr: notFound,
        stdout: '',
      });
    }
    expect(recorded).toEqual([]);
    // the recorder does see a reference with its host: the silence above is the rule, not the setup
    const port = (recorder.address() as AddressInfo).port;
    // (an async child: the recorder answers from this process's event loop)
    const code = await new Promise<number | null>((resolve) => {
      const child = execFile(
        process.execPath,
        [CLI_BIN, 'verify', `127.0.0.1:${port}/models/typo:v1`, '--key', publicKey],
        { cwd: tmp, env: { PATH: process.env.PATH ?? '', HOME: tmp, DOCKER_CONFIG: noDockerConfig } },
      );
      child.on('close', resolve);
    });
    expect(code).toBe(2);
    expect(recorded.length).toBeGreaterThan(0);
    expect(recorded[0]).toMatch(/^GET \/v2\//);
  });

  it('a registry flag with a model on disk is USAGE (it would be ignored)', () => {
    const r = modelseal(['sign', model, '--key', privateKey, '--plain-http']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `modelseal: error[USAGE]: --plain-http is for an artifact reference; ${model} is a model on disk (leave --plain-http out)\n`,
    );
    expect(modelseal(['scan', model, '--max-referrers', '3']).stderr).toMatch(
      /^modelseal: error\[USAGE\]: --max-referrers is for an artifact reference/,
    );
  });

  it('a flag for a model on disk with an artifact reference is USAGE (it would be ignored), before any request', () => {
    const { port } = recorder.address() as AddressInfo;
    const ref = `127.0.0.1:${port}/models/disk-flags:v1`;
    const before = recorded.length;
    const runs: Array<[string[], string]> = [
      [['sign', ref, '--key', privateKey, '--signature', 'elsewhere.sig'], '--signature'],
      [['sign', ref, '--key', privateKey, '--hash', 'blake3'], '--hash'],
      [['sign', ref, '--key', privateKey, '--ignore-paths', 'README.md'], '--ignore-paths'],
      [['sign', ref, '--key', privateKey, '--overwrite'], '--overwrite'],
      [['verify', ref, '--key', publicKey, '--ignore-unsigned-files'], '--ignore-unsigned-files'],
      [['verify', ref, '--key', publicKey, '--no-ignore-git-paths'], '--no-ignore-git-paths'],
      [['verify', ref, '--policy', policy, '--attestation', predicate], '--attestation'],
      [['verify', ref, '--policy', policy, '--jobs', '2'], '--jobs'],
      [['attest', ref, '--predicate', predicate, '--key', privateKey, '--output', 'x.json'], '--output'],
      [['verify-attestation', ref, '--key', publicKey, '--bundle', 'x.json'], '--bundle'],
    ];
    for (const [args, flag] of runs) {
      const r = modelseal(args);
      expect({ args, code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({
        args,
        code: 2,
        stdout: '',
        stderr: `modelseal: error[USAGE]: ${flag} is for a model on disk; ${ref} is an artifact reference (leave ${flag} out)\n`,
      });
    }
    expect(recorded.slice(before)).toEqual([]);
    // (the defaults of those flags are not "given": sign REF and verify REF below go ahead)
  });
});

describe('registry flags on the model verbs, against an htpasswd registry', () => {
  let ref: string;
  let digest: string;

  it('push with --username/--password-stdin; anonymous pushes are refused', () => {
    ref = `${registry.host}/models/auth:v1`;
    const anonymous = modelseal(['push', model, ref]);
    expect(anonymous.code).toBe(2);
    expect(anonymous.stderr).toMatch(/error\[REGISTRY_AUTH\]/);
    const pushed = withLogin(['push', model, ref, '--json']);
    expect(pushed.code, pushed.stderr).toBe(0);
    digest = JSON.parse(pushed.stdout).digest as string;
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('sign REF, then verify REF; --max-referrers 1 with two referrers is TOO_MANY_REFERRERS', () => {
    const anonymous = modelseal(['sign', ref, '--key', privateKey]);
    expect(anonymous.code).toBe(2);
    expect(anonymous.stderr).toMatch(/^modelseal: error\[REGISTRY_AUTH\]/);
    const signed = withLogin(['sign', ref, '--key', privateKey, '--json']);
    expect(signed.code, signed.stderr).toBe(0);
    expect(JSON.parse(signed.stdout)).toMatchObject({ signed: true, digest });

    expect(modelseal(['verify', ref, '--key', publicKey]).stderr).toMatch(
      /^modelseal: error\[REGISTRY_AUTH\]/,
    );
    const verified = withLogin(['verify', ref, '--key', publicKey, '--max-referrers', '2', '--json']);
    expect(verified.code, verified.stderr).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ verified: true, digest });

    // two referrers now (the OMS and the cosign signature): a bound of 1 refuses to read a part
    const bounded = withLogin(['verify', ref, '--key', publicKey, '--max-referrers', '1']);
    expect(bounded.code).toBe(2);
    expect(bounded.stderr).toMatch(/^modelseal: error\[TOO_MANY_REFERRERS\]: .*\n$/);
    expect(bounded.stdout).toBe('');
    const env = modelseal(
      ['verify', ref, '--key', publicKey, '--username', registry.username!, '--password-stdin'],
      `${registry.password}\n`,
      { MODELSEAL_MAX_REFERRERS: '1' },
    );
    expect(env.code).toBe(2);
    expect(env.stderr).toMatch(/^modelseal: error\[TOO_MANY_REFERRERS\]/);
  });

  it('sbom REF, attest REF, verify-attestation REF and provenance REF', () => {
    const bomFile = path.join(tmp, 'bom.json');
    expect(modelseal(['sbom', ref]).stderr).toMatch(/^modelseal: error\[REGISTRY_AUTH\]/);
    const bom = withLogin(['sbom', ref, '--output', bomFile]);
    expect(bom.code, bom.stderr).toBe(0);
    const parsed = JSON.parse(readFileSync(bomFile, 'utf8')) as { bomFormat: string; specVersion: string };
    expect([parsed.bomFormat, parsed.specVersion]).toEqual(['CycloneDX', '1.6']);

    const attestArgs = ['attest', ref, '--predicate', bomFile, '--type', 'cyclonedx', '--key', privateKey];
    expect(modelseal(attestArgs).stderr).toMatch(/^modelseal: error\[REGISTRY_AUTH\]/);
    const attested = withLogin([...attestArgs, '--json']);
    expect(attested.code, attested.stderr).toBe(0);
    expect(JSON.parse(attested.stdout)).toMatchObject({ attested: true, digest });

    const checkArgs = ['verify-attestation', ref, '--type', 'cyclonedx', '--key', publicKey];
    expect(modelseal(checkArgs).stderr).toMatch(/^modelseal: error\[REGISTRY_AUTH\]/);
    const checked = withLogin([...checkArgs, '--json']);
    expect(checked.code, checked.stderr).toBe(0);
    expect(JSON.parse(checked.stdout)).toMatchObject({ verified: true });

    const provArgs = ['provenance', ref, '--no-source', '--build-type', 'ml-training'];
    expect(modelseal(provArgs).stderr).toMatch(/^modelseal: error\[REGISTRY_AUTH\]/);
    const prov = withLogin(provArgs);
    expect(prov.code, prov.stderr).toBe(0);
    const statement = JSON.parse(prov.stdout) as { subject: Array<{ digest: { sha256: string } }> };
    expect(`sha256:${statement.subject[0].digest.sha256}`).toBe(digest);
  });

  it('verify REF --policy reads the referrers with the login; without it REGISTRY_AUTH', () => {
    expect(modelseal(['verify', ref, '--policy', policy]).stderr).toMatch(
      /^modelseal: error\[REGISTRY_AUTH\]/,
    );
    const r = withLogin(['verify', ref, '--policy', policy, '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as {
      allowed: boolean;
      checks: Array<{ name: string; passed: boolean }>;
    };
    expect(result.allowed).toBe(true);
    expect(result.checks.map((c) => c.name)).toContain('sbom.signer');
  });

  it('--registry-config takes the credentials from that Docker config file, and only from it', () => {
    const config = path.join(tmp, 'ci-auth.json');
    const auth = Buffer.from(`${registry.username}:${registry.password}`).toString('base64');
    writeFileSync(config, JSON.stringify({ auths: { [registry.host]: { auth } } }));
    const r = modelseal(['verify', ref, '--key', publicKey, '--registry-config', config, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ verified: true, digest });
    const missing = modelseal(['sbom', ref, '--registry-config', path.join(tmp, 'absent.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(
      `modelseal: error[NOT_FOUND]: --registry-config ${path.join(tmp, 'absent.json')}: no such file\n`,
    );
    const both = withLogin(['sbom', ref, '--registry-config', config]);
    expect(both.code).toBe(2);
    expect(both.stderr).toBe(
      'modelseal: error[USAGE]: give either --username or --registry-config, not both\n',
    );
  });
});
