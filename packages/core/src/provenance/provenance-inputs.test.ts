// Provenance inputs: pinned and hashed datasets, k=v parameters, parameter files, git remotes without
// credentials, and the git checkout of a real temporary repository.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rejectionOf } from '../../../../test/rejection.js';
import {
  digestedInput,
  gitSource,
  parseParameter,
  readParametersFile,
  remoteUri,
} from './provenance-inputs.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'ms-prov-inputs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const sha = (s: string) => createHash('sha256').update(s).digest();

describe('digestedInput', () => {
  it('takes NAME=URI@sha256:HEX as given', async () => {
    expect(await digestedInput(`imdb=s3://acme/imdb@v7@sha256:${'ab'.repeat(32)}`)).toEqual({
      name: 'imdb',
      uri: 's3://acme/imdb@v7',
      digest: { sha256: 'ab'.repeat(32) },
    });
  });
  it('hashes a directory to its OMS root (model.sig left out)', async () => {
    const dir = path.join(tmp, 'ds');
    mkdirSync(path.join(dir, 'b'), { recursive: true });
    writeFileSync(path.join(dir, 'a.csv'), 'x,y\n');
    writeFileSync(path.join(dir, 'b/c.csv'), '1,2\n');
    writeFileSync(path.join(dir, 'model.sig'), 'not hashed');
    const root = createHash('sha256')
      .update(Buffer.concat([sha('x,y\n'), sha('1,2\n')]))
      .digest('hex');
    expect(await digestedInput(dir, 1)).toEqual({
      name: 'ds',
      uri: `file://${dir}`,
      digest: { sha256: root },
    });
  });
  it('a malformed pin is USAGE, a missing directory NOT_FOUND', async () => {
    expect((await rejectionOf(digestedInput('imdb=s3://x@sha256:abc'))).code).toBe('USAGE');
    expect((await rejectionOf(digestedInput(path.join(tmp, 'nope')))).code).toBe('NOT_FOUND');
  });
});

describe('parameters', () => {
  it('k=v keeps numbers and booleans', () => {
    expect(parseParameter('lr=3e-4')).toEqual(['lr', 0.0003]);
    expect(parseParameter('fp16=true')).toEqual(['fp16', true]);
    expect(parseParameter('name=run=7')).toEqual(['name', 'run=7']);
    expect(parseParameter('v=1.2.3')).toEqual(['v', '1.2.3']);
    expect(() => parseParameter('=1')).toThrow(/not KEY=VALUE/);
  });
  it('reads a YAML mapping; a list is USAGE', async () => {
    writeFileSync(path.join(tmp, 'p.yaml'), 'lr: 0.001\nschedule:\n  warmup: 100\n');
    expect(await readParametersFile(path.join(tmp, 'p.yaml'))).toEqual({
      lr: 0.001,
      schedule: { warmup: 100 },
    });
    writeFileSync(path.join(tmp, 'l.yaml'), '- a\n- b\n');
    expect((await rejectionOf(readParametersFile(path.join(tmp, 'l.yaml')))).code).toBe('USAGE');
  });
});

describe('git source', () => {
  it('remote URIs lose their credentials; scp-style becomes ssh://', () => {
    expect(remoteUri('https://user:ghp_secret@github.com/acme/train.git')).toBe(
      'https://github.com/acme/train.git',
    );
    expect(remoteUri('git@github.com:acme/train.git')).toBe('ssh://git@github.com/acme/train.git');
  });
  it('reads origin, HEAD and its ref from a real repository; outside one it is undefined', async () => {
    const repo = path.join(tmp, 'repo');
    mkdirSync(repo);
    const git = (...a: string[]) => execFileSync('git', ['-C', repo, ...a], { encoding: 'utf8' }).trim();
    git('init', '-q', '-b', 'main');
    git('remote', 'add', 'origin', 'https://bot:token@example.com/acme/train.git');
    writeFileSync(path.join(repo, 'train.py'), 'print(1)\n');
    git('add', '.');
    git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'x');
    expect(await gitSource(repo)).toEqual({
      repository: 'https://example.com/acme/train.git',
      commit: git('rev-parse', 'HEAD'),
      ref: 'refs/heads/main',
    });
    expect(await gitSource(tmpdir())).toBeUndefined();
  });
});
