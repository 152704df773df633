// checkSbom on BOMs that sbom() really writes (not hand-made JSON): the model's files carry no
// licence of their own and are judged by the model's, so the default `licenses.unknown: deny`
// admits a licensed model; a base model or dataset with no licence stays unknown and is denied.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { sbom } from '../sbom/sbom.js';
import { checkSbom } from './check-sbom.js';

const FIXTURE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../../fixtures/models/hf-tiny-llama',
);
const work = mkdtempSync(path.join(tmpdir(), 'modelseal-check-sbom-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A copy of the fixture whose README front matter is `frontMatter`. */
function modelWith(name: string, frontMatter: string): string {
  const dir = path.join(work, name, 'hf-tiny-llama');
  cpSync(FIXTURE, dir, { recursive: true });
  writeFileSync(path.join(dir, 'README.md'), `---\n${frontMatter}---\n# tiny\n`);
  return dir;
}

const rule = (licenses: { allow?: string[]; deny?: string[] }) => ({
  signedBy: ['trainer'],
  licenses: { ...licenses, unknown: 'deny' as const },
});

describe('checkSbom on generated BOMs', () => {
  it('files without a licence are judged by the model licence: allowed under unknown: deny', async () => {
    const bom = await sbom(modelWith('apache', 'license: apache-2.0\n'), { jobs: 1 });
    const files = (bom.components ?? []).filter((c) => c.type === 'file');
    expect(files.map((f) => f.name).sort()).toEqual([
      'README.md',
      'config.json',
      'generation_config.json',
      'model.safetensors',
      'tokenizer.json',
    ]);
    expect(files.every((f) => f.licenses === undefined)).toBe(true);
    expect(checkSbom(rule({ deny: ['AGPL-3.0-only'] }), bom)).toEqual([
      { name: 'sbom.licenses', passed: true, reason: '6 component licence(s) allowed' },
    ]);
    expect(checkSbom(rule({ allow: ['Apache-2.0'] }), bom)[0].passed).toBe(true);
  });

  it('a denied model licence is reported on the model, and its files do not escape it', async () => {
    const bom = await sbom(modelWith('agpl', 'license: agpl-3.0\n'), { jobs: 1 });
    expect(checkSbom(rule({ deny: ['AGPL-3.0-only'] }), bom)).toEqual([
      {
        name: 'sbom.licenses',
        passed: false,
        // Hugging Face's agpl-3.0 is SPDX's deprecated AGPL-3.0, which the deny-list's AGPL-3.0-only covers
        reason:
          'hf-tiny-llama (machine-learning-model): "(AGPL-3.0)" needs AGPL-3.0, which the policy denies',
        code: 'LICENSE_DENIED',
      },
    ]);
  });

  it('a model with no licence leaves its files unknown: denied', async () => {
    const bom = await sbom(modelWith('none', 'pipeline_tag: text-generation\n'), { jobs: 1 });
    const [check] = checkSbom(rule({ deny: ['AGPL-3.0-only'] }), bom);
    expect(check.passed).toBe(false);
    expect(check.reason).toMatch(/^hf-tiny-llama \(machine-learning-model\) has no SPDX licence/);
  });

  it('a base model never inherits the fine-tune licence: unknown, denied', async () => {
    const bom = await sbom(modelWith('base', 'license: apache-2.0\nbase_model: acme/tiny-llama-base\n'), {
      jobs: 1,
    });
    expect(checkSbom(rule({ deny: ['AGPL-3.0-only'] }), bom)[0]).toEqual({
      name: 'sbom.licenses',
      passed: false,
      reason: 'acme/tiny-llama-base (machine-learning-model) has no SPDX licence (licenses.unknown: deny)',
      code: 'LICENSE_DENIED',
    });
  });

  it('a file component that names its own licence is judged by it, not the model licence', () => {
    const bom = {
      metadata: {
        component: { type: 'machine-learning-model', name: 'm', licenses: [{ expression: 'MIT' }] },
      },
      components: [{ type: 'file', name: 'w.bin', licenses: [{ license: { id: 'AGPL-3.0-only' } }] }],
    };
    expect(checkSbom(rule({ deny: ['AGPL-3.0-only'] }), bom)[0].reason).toBe(
      'w.bin (file): "AGPL-3.0-only" needs AGPL-3.0-only, which the policy denies',
    );
  });
});
