// `modelseal provenance` and the training code it records: outside a git checkout it says on stderr
// that the statement records no source (it used to be silent), --no-source keeps it quiet on purpose,
// and in a checkout with a commit the commit is recorded with no warning.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO, runCli } from './cli-process.js';

const tmp = realpathSync(mkdtempSync(path.join(tmpdir(), 'ms-prov-source-')));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const model = path.join(tmp, 'model');
cpSync(path.join(REPO, 'fixtures/models/sample-model'), model, { recursive: true });

interface Statement {
  predicate: {
    buildDefinition: { resolvedDependencies?: { uri: string; digest: Record<string, string> }[] };
  };
}
const deps = (stdout: string) =>
  (JSON.parse(stdout) as Statement).predicate.buildDefinition.resolvedDependencies ?? [];

describe('modelseal provenance: the training code', () => {
  it('outside a git checkout: exit 0, no source in the statement, and one warning line naming the directory and the flags', () => {
    const r = runCli(['provenance', model], { cwd: tmp });
    expect(r.code).toBe(0);
    expect(deps(r.stdout)).toEqual([]);
    expect(r.stderr).toBe(
      `modelseal: warning: ${tmp} is not in a git checkout with a commit: the provenance records no training code (give --source DIR, or --no-source to record none on purpose)\n`,
    );
    const given = runCli(['provenance', model, '--source', model], { cwd: REPO });
    expect(given.stderr).toContain(`modelseal: warning: ${model} is not in a git checkout with a commit`);
  });

  it('ml-training flags with the github buildType: exit 2, the core message names options and the CLI its flag', () => {
    const r = runCli(
      ['provenance', model, '--no-source', '--build-type', 'github', '--parameter', 'lr=0.1'],
      {
        cwd: tmp,
      },
    );
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'modelseal: error[USAGE]: parameters, parametersFile, builderId and invocationId belong to the ml-training buildType; on GitHub Actions the workflow defines them; pass --build-type ml-training to record them\n',
    );
  });

  it('--no-source: nothing recorded and nothing said', () => {
    const r = runCli(['provenance', model, '--no-source'], { cwd: tmp });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(deps(r.stdout)).toEqual([]);
  });

  it('in a checkout with a commit: the commit is recorded, no warning', () => {
    const src = path.join(tmp, 'train');
    const git = (...a: string[]) =>
      execFileSync('git', ['-C', src, ...a], {
        encoding: 'utf8',
        env: {
          ...process.env,
          GIT_AUTHOR_NAME: 't',
          GIT_AUTHOR_EMAIL: 't@x.test',
          GIT_COMMITTER_NAME: 't',
          GIT_COMMITTER_EMAIL: 't@x.test',
        },
      }).trim();
    execFileSync('git', ['init', '-q', src]);
    git('remote', 'add', 'origin', 'https://github.com/acme/train.git');
    git('commit', '-q', '--allow-empty', '-m', 'init');
    const commit = git('rev-parse', 'HEAD');
    const r = runCli(['provenance', model, '--source', src], { cwd: tmp });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(deps(r.stdout).find((d) => d.digest.gitCommit === commit)?.uri).toMatch(
      /^git\+https:\/\/github\.com\/acme\/train(\.git)?@/,
    );
  });
});
