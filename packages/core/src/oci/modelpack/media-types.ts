// CNCF ModelPack media types and the file-role rules that pick a layer's media type from its path.
// Unknown files become weights marked `org.cncf.model.file.mediatype.untested: "true"`.
import type { Minimatch } from 'minimatch';
import { lazyModule } from '../../lazy-module.js';

const minimatch = lazyModule<typeof import('minimatch')>('minimatch');

/** CNCF ModelPack media types (artifact type, config, layer kinds). */
export const ModelPackTypes = {
  artifact: 'application/vnd.cncf.model.manifest.v1+json',
  config: 'application/vnd.cncf.model.config.v1+json',
} as const;

/** CNCF ModelPack layer annotations (file path, file metadata). */
export const ModelPackAnnotations = {
  filepath: 'org.cncf.model.filepath',
  fileMetadata: 'org.cncf.model.file.metadata+json',
  untested: 'org.cncf.model.file.mediatype.untested',
  legacyFilepath: 'org.cnai.model.filepath',
  /** our own: the OMS root digest (`sha256:<hex>`) of the packed files */
  omsRoot: 'dev.modelseal.oms.root',
  title: 'org.opencontainers.image.title',
} as const;

/** What a ModelPack layer holds: weights, weight config, docs, code or a dataset. */
export type LayerKind = 'weight' | 'weight.config' | 'doc' | 'code' | 'dataset';

export function rawLayerType(kind: LayerKind): string {
  return `application/vnd.cncf.model.${kind}.v1.raw`;
}

const WEIGHT_EXT = [
  'safetensors',
  'bin',
  'gguf',
  'ggml',
  'pt',
  'pth',
  'onnx',
  'h5',
  'hdf5',
  'keras',
  'ckpt',
  'msgpack',
  'pb',
  'tflite',
  'npz',
  'npy',
  'pkl',
  'pickle',
  'joblib',
  'mlmodel',
  'mar',
  'nemo',
  'ot',
  'params',
  'engine',
  'plan',
  'llamafile',
  'dduf',
  'index',
];
const CONFIG_NAMES = [
  'config.json',
  'generation_config.json',
  'tokenizer*.json',
  'tokenizer.model',
  'special_tokens_map.json',
  'added_tokens.json',
  'preprocessor_config.json',
  'processor_config.json',
  'chat_template.*',
  'vocab.*',
  'merges.txt',
  '*.tiktoken',
  'sentencepiece.*',
  '*.spm',
  'modelfile',
  'kitfile',
];
const CONFIG_EXT = ['json', 'yaml', 'yml', 'toml', 'jinja', 'cfg', 'ini', 'conf'];
// Signatures and attestations that travel inside the model directory (model.sig, *.sigstore.json) are docs, not weights.
const DOC_NAMES = [
  'license*',
  'licence*',
  'readme*',
  'notice*',
  'copying*',
  'authors*',
  'changelog*',
  'model_card*',
  'citation*',
  '*.sig',
  '*.sigstore',
  '*.sigstore.json',
  '*.intoto.jsonl',
];
const DOC_EXT = ['md', 'txt', 'rst', 'pdf', 'html', 'htm', 'adoc', 'png', 'jpg', 'jpeg', 'gif', 'svg'];
const CODE_EXT = [
  'py',
  'pyi',
  'ipynb',
  'sh',
  'bash',
  'js',
  'mjs',
  'cjs',
  'ts',
  'go',
  'rs',
  'c',
  'cc',
  'cpp',
  'h',
  'hpp',
  'cu',
  'java',
  'scala',
  'rb',
  'lua',
  'r',
  'jl',
  'swift',
  'kt',
  'ps1',
  'bat',
  'cmake',
  'mk',
];
const CODE_NAMES = ['makefile', 'dockerfile', 'requirements.txt', 'setup.cfg', 'pyproject.toml'];

function matchers(globs: string[]): Minimatch[] {
  return globs.map((g) => new (minimatch().Minimatch)(g, { nocase: true, dot: true }));
}
const CONFIG_MATCHERS = matchers(CONFIG_NAMES);
const DOC_MATCHERS = matchers(DOC_NAMES);

/** Compile user globs (`--dataset`, `--include`) matched against model-relative POSIX paths. */
export function compileGlobs(globs: readonly string[]): (path: string) => boolean {
  // A glob without '/' also matches by basename (like .gitignore): `--dataset '*.csv'` finds data/x.csv.
  const ms = globs.map((g) => new (minimatch().Minimatch)(g, { dot: true, matchBase: !g.includes('/') }));
  return (path) => ms.some((m) => m.match(path));
}

/** The layer kind of a file, and whether it was a guess (no rule matched). */
export function classifyFile(
  path: string,
  isDataset: (path: string) => boolean = () => false,
): { kind: LayerKind; untested: boolean } {
  if (isDataset(path)) return { kind: 'dataset', untested: false };
  const base = (path.split('/').pop() ?? path).toLowerCase();
  const dot = base.lastIndexOf('.');
  const ext = dot > 0 ? base.slice(dot + 1) : '';
  if (CONFIG_MATCHERS.some((m) => m.match(base))) return { kind: 'weight.config', untested: false };
  if (WEIGHT_EXT.includes(ext) || /\.(?:bin|safetensors|gguf|pt|pth)\.\d+$/.test(base))
    return { kind: 'weight', untested: false };
  if (CODE_EXT.includes(ext) || CODE_NAMES.includes(base)) return { kind: 'code', untested: false };
  if (DOC_MATCHERS.some((m) => m.match(base)) || DOC_EXT.includes(ext))
    return { kind: 'doc', untested: false };
  if (CONFIG_EXT.includes(ext)) return { kind: 'weight.config', untested: false };
  return { kind: 'weight', untested: true };
}
