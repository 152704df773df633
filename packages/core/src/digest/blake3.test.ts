import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { modelDirs } from '../../../../test/model-dirs.js';
import { walkModel } from '../model/walk-model.js';
import { blake3Implementation, blake3Once, createBlake3Hasher } from './blake3.js';
import { hashFiles } from './hash-files.js';
import { READ_SIZE } from './hash-range.js';

const dirs = modelDirs('ms-blake3-');
afterAll(() => dirs.cleanup());

/**
 * The published BLAKE3 test vectors (BLAKE3-team/BLAKE3, test_vectors/test_vectors.json): input
 * length -> first 32 bytes of the `hash` output. Inputs are the bytes 0, 1, ..., 250 repeated.
 */
const VECTORS: [number, string][] = [
  [0, 'af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262'],
  [1, '2d3adedff11b61f14c886e35afa036736dcd87a74d27b5c1510225d0f592e213'],
  [1023, '10108970eeda3eb932baac1428c7a2163b0e924c9a9e25b35bba72b28f70bd11'],
  [1024, '42214739f095a406f3fc83deb889744ac00df831c10daa55189b5d121c855af7'],
  [1025, 'd00278ae47eb27b34faecf67b4fe263f82d5412916c1ffd97c8cb7fb814b8444'],
  [2048, 'e776b6028c7cd22a4d0ba182a8bf62205d2ef576467e838ed6f2529b85fba24a'],
  [2049, '5f4d72f40d7a5f82b15ca2b2e44b1de3c2ef86c426c95c1af0b6879522563030'],
  [3072, 'b98cb0ff3623be03326b373de6b9095218513e64f1ee2edd2525c7ad1e5cffd2'],
  [3073, '7124b49501012f81cc7f11ca069ec9226cecb8a2c850cfe644e327d22d3e1cd3'],
  [4096, '015094013f57a5277b59d8475c0501042c0b642e531b0a1c8f58d2163229e969'],
  [4097, '9b4052b38f1c5fc8b1f9ff7ac7b27cd242487b3d890d15c96a1c25b8aa0fb995'],
  [5120, '9cadc15fed8b5d854562b26a9536d9707cadeda9b143978f319ab34230535833'],
  [5121, '628bd2cb2004694adaab7bbd778a25df25c47b9d4155a55f8fbd79f2fe154cff'],
  [6144, '3e2e5b74e048f3add6d21faab3f83aa44d3b2278afb83b80b3c35164ebeca205'],
  [6145, 'f1323a8631446cc50536a9f705ee5cb619424d46887f3c376c695b70e0f0507f'],
  [7168, '61da957ec2499a95d6b8023e2b0e604ec7f6b50e80a9678b89d2628e99ada77a'],
  [7169, 'a003fc7a51754a9b3c7fae0367ab3d782dccf28855a03d435f8cfe74605e7817'],
  [8192, 'aae792484c8efe4f19e2ca7d371d8c467ffb10748d8a5a1ae579948f718a2a63'],
  [8193, 'bab6c09cb8ce8cf459261398d2e7aef35700bf488116ceb94a36d0f5f1b7bc3b'],
  [16384, 'f875d6646de28985646f34ee13be9a576fd515f76b5b0a26bb324735041ddde4'],
  [31744, '62b6960e1a44bcc1eb1a611a8d6235b6b4b78f32e7abc4fb4c6cdcce94895c47'],
  [102400, 'bc3e3d41a1146b069abffad3c0d44860cf664390afce4d9661f7902e7943e085'],
];

const vectorInput = (n: number) => Uint8Array.from({ length: n }, (_, i) => i % 251);

function streamed(impl: 'native' | 'js', data: Uint8Array, chunk: number): string {
  const h = createBlake3Hasher(impl);
  for (let i = 0; i < data.length; i += chunk) h.update(data.subarray(i, i + chunk));
  return h.digest().toString('hex');
}

/** b3sum's digest of a file (the reference implementation's own CLI). */
const b3sum = (file: string) => execFileSync('b3sum', ['--no-names', file], { encoding: 'utf8' }).trim();

describe('BLAKE3', () => {
  it('runs the native implementation on this platform (linux x64 ships a prebuilt binary)', () => {
    expect(blake3Implementation()).toBe('native');
  });

  it.each(['native', 'js'] as const)(
    '%s: gives every published test vector, in one piece and streamed',
    (impl) => {
      for (const [len, hex] of VECTORS) {
        const data = vectorInput(len);
        expect([len, streamed(impl, data, Math.max(1, len))]).toEqual([len, hex]);
        expect([len, streamed(impl, data, 1000)]).toEqual([len, hex]);
      }
    },
  );

  it('one-shot digests give the published test vectors', () => {
    for (const [len, hex] of VECTORS)
      expect([len, blake3Once(vectorInput(len)).toString('hex')]).toEqual([len, hex]);
  });

  it('hashFiles on workers and inline equals b3sum on random files (sizes around the read size)', async () => {
    const sizes = [0, 1, 1025, 65_537, READ_SIZE - 1, READ_SIZE, READ_SIZE + 1, 3 * READ_SIZE + 12_345];
    const files: Record<string, Buffer> = {};
    sizes.forEach((n, i) => (files[`f${i}.bin`] = randomBytes(n)));
    const root = dirs.model(files);
    const tree = await walkModel(root);
    const config = { method: 'files', hashType: 'blake3', shardSize: 1 } as const;
    const expected = tree.files.map((f) => ({ name: f.name, algorithm: 'blake3', digest: b3sum(f.path) }));
    expect(expected.find((e) => e.name === 'f0.bin')?.digest).toBe(VECTORS[0][1]);
    expect(await hashFiles(tree, { config, jobs: 2, inlineMaxBytes: 0 })).toEqual(expected);
    expect(await hashFiles(tree, { config, jobs: 1, inlineMaxBytes: Infinity })).toEqual(expected);
  });

  it('the JavaScript fallback equals b3sum on a random multi-megabyte file', () => {
    const data = randomBytes(2 * READ_SIZE + 777);
    const file = `${dirs.model({ x: data })}/x`;
    expect(streamed('js', data, 65_536)).toBe(b3sum(file));
  });
});
