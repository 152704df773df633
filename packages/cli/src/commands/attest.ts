// `modelseal attest MODEL|REF` and `modelseal verify-attestation MODEL|REF`: sign any predicate as a
// DSSE bundle about a model (cosign's --type names), and check such bundles.
import type { Command } from 'commander';
import {
  ModelsealError,
  attest,
  isModelsealError,
  verifyAttestation,
  type AttestResult,
  type VerifyAttestationResult,
} from '@modelseal/core';
import { predicateTypeFor, unwrapPredicate, readInputFile } from '@modelseal/core/attest';
import { interruptible } from '../interrupt.js';
import { humanLine, jsonError, printJson, progressBar } from '../output.js';
import {
  addSignerFlags,
  addVerifierFlags,
  signerFromFlags,
  verifierFromFlags,
  type SignerFlags,
  type VerifierFlags,
} from './attest-flags.js';
import { describeSigner } from './describe-signer.js';
import { collect } from './repeatable-option.js';
import { warningWithFlags } from '../error-hint.js';
import { MODEL_ARGUMENT_HELP, openModelArgument } from './model-argument.js';
import { addRegistryFlags, type RegistryFlags } from './registry-flags.js';

const TYPES_HELP =
  'custom | slsaprovenance | slsaprovenance1 | spdx | spdxjson | cyclonedx | link | vuln | openvex | a predicate URI';

async function readPredicateText(file: string): Promise<string> {
  return (await readInputFile(file, 'predicate')).toString('utf8');
}

function parsePredicate(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ModelsealError('USAGE', `predicate ${file}: not valid JSON`);
  }
}

/** cosign's `--type custom` wraps the raw predicate text as {Data, Timestamp}. */
function customPredicate(text: string): Record<string, string> {
  return { Data: text, Timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') };
}

/** The parsed flags of `attest`. */
interface AttestFlags extends SignerFlags, RegistryFlags {
  predicate: string;
  type: string;
  output?: string;
  json: boolean;
}

/** The parsed flags of `verify-attestation`. */
interface VerifyAttestationFlags extends VerifierFlags, RegistryFlags {
  type: string;
  bundle: string[];
  json: boolean;
}

export function registerAttest(program: Command): void {
  const cmd = program
    .command('attest')
    .description('Sign a predicate (provenance, SBOM, ...) about a model as a DSSE attestation bundle')
    .argument('<model>', MODEL_ARGUMENT_HELP)
    .requiredOption('--predicate <file>', 'the predicate (JSON)')
    .option('--type <type>', `predicate type: ${TYPES_HELP}`, 'custom')
    .option(
      '--output <file>',
      'where to write the bundle (default MODEL.<type>.sigstore.json beside the model)',
    )
    .option('--json', 'print the result as JSON', false);
  addSignerFlags(cmd);
  addRegistryFlags(cmd);
  cmd.addHelpText(
    'after',
    `
The statement's subject is the model's OMS root (what 'modelseal hash' prints); for a reference, its
manifest digest and then its OMS root, and the bundle is pushed as a referrer of the manifest.
--type takes cosign's names; custom wraps the file as cosign does ({"Data": ..., "Timestamp": ...}).

Examples:
  $ modelseal provenance ./my-model --output prov.json
  $ modelseal attest ./my-model --predicate prov.json --type slsaprovenance1 --key mykey.key
  $ modelseal sbom ./my-model --output bom.json
  $ modelseal attest ./my-model --predicate bom.json --type cyclonedx --key mykey.key
  $ modelseal attest 127.0.0.1:5000/models/my-model:v1 --predicate prov.json --type slsaprovenance1 --key mykey.key
  $ modelseal attest oci:./layout:v1 --predicate bom.json --type cyclonedx --key mykey.key
`,
  );
  cmd.action(async (model: string, flags: AttestFlags) => {
    const { type, predicate: file } = flags;
    const predicateType = predicateTypeFor(type);
    const text = await readPredicateText(file);
    const predicate =
      type === 'custom'
        ? customPredicate(text)
        : unwrapPredicate(parsePredicate(text, file), predicateType, file);
    const source = await openModelArgument(model, flags, { command: cmd, attributes: ['output'] });
    const signer = await signerFromFlags(flags);
    const bar = source.kind === 'directory' ? progressBar('hashing') : undefined;
    let result;
    try {
      result = await interruptible(`attestation of ${model} stopped; nothing written`, (signal) =>
        attest(source, {
          signer,
          predicateType,
          predicate,
          output: flags.output,
          onProgress: bar && ((p) => bar.update(p)),
          signal,
        }),
      );
    } finally {
      bar?.stop();
    }
    printAttested(result, predicateType, signer.kind, flags.json);
  });

  const vcmd = program
    .command('verify-attestation')
    .description('Verify a model attestation: signature, predicate type, and that its subject is this model')
    .argument('<model>', MODEL_ARGUMENT_HELP)
    .option('--type <type>', `predicate type: ${TYPES_HELP}`, 'custom')
    .option(
      '--bundle <file>',
      'attestation bundle(s) to check (default MODEL.<type>.sigstore.json); repeatable',
      collect,
      [],
    )
    .option('--json', 'print the whole verified statement (and every check) as JSON', false);
  addVerifierFlags(vcmd);
  addRegistryFlags(vcmd);
  vcmd.addHelpText(
    'after',
    `
Each bundle's signature is checked, then its predicateType (exactly), then that one of its subjects
is this model's OMS root (for a reference: its manifest digest or OMS root; the bundles are its
referrers). One bundle that passes is enough. Prints the predicate.

Examples:
  $ modelseal verify-attestation ./my-model --type slsaprovenance1 --key mykey.pub
  $ modelseal verify-attestation ./my-model --type cyclonedx --certificate-identity dev@example.com \\
      --certificate-oidc-issuer https://accounts.google.com --json
  $ modelseal verify-attestation 127.0.0.1:5000/models/my-model:v1 --type slsaprovenance1 --key mykey.pub

Exit status: 0 verified, 1 verification failed (no attestation of the type, wrong subject, bad
signature, wrong identity), 2 bad usage or unreadable input.
`,
  );
  vcmd.action(async (model: string, flags: VerifyAttestationFlags) => {
    const json = flags.json;
    const predicateType = predicateTypeFor(flags.type);
    try {
      const source = await openModelArgument(model, flags, { command: vcmd, attributes: ['bundle'] });
      const verifier = await verifierFromFlags(flags);
      const r = await verifyAttestation(source, { verifier, predicateType, bundlePaths: flags.bundle });
      const about =
        r.kind === 'directory'
          ? `sha256:${r.root}, signed by ${describeSigner(r.signer)} (${r.source})`
          : `${model} (${r.digest}), signed by ${describeSigner(r.signer)}`;
      printVerifiedAttestation(r, json, `verified ${predicateType} about ${about}`);
    } catch (e) {
      if (json) {
        const error = jsonError(e);
        const checks = isModelsealError(e) ? (e.details?.checks ?? []) : [];
        printJson({ verified: false, error, checks });
      }
      throw e;
    }
  });
}

/** Print what attest() stored: the bundle file (on disk) or the referrer digest (artifact), also as --json. */
function printAttested(r: AttestResult, predicateType: string, method: string, json: boolean): void {
  if (r.kind === 'directory') {
    if (json) {
      printJson({ attested: true, output: r.output, predicateType, root: r.root, method });
      return;
    }
    process.stdout.write(humanLine(r.output));
    process.stderr.write(
      humanLine(`attested ${predicateType} about sha256:${r.root} (${method}) -> ${r.output}`),
    );
    return;
  }
  if (json) {
    printJson({
      attested: true,
      reference: r.reference,
      digest: r.digest,
      predicateType,
      referrer: r.referrer.digest,
      subjects: r.subjects,
      method,
    });
    return;
  }
  process.stdout.write(humanLine(r.referrer.digest));
  process.stderr.write(
    humanLine(
      `attested ${predicateType} about ${r.reference}@${r.digest} (${method}) -> referrer ${r.referrer.digest}`,
    ),
  );
}

/**
 * Print a verified attestation: its warnings; with `json` the whole verified statement and every
 * check; otherwise `line` on stderr and the predicate on stdout.
 */
function printVerifiedAttestation(r: VerifyAttestationResult, json: boolean, line: string): void {
  for (const w of r.warnings) process.stderr.write(humanLine(`modelseal: warning: ${warningWithFlags(w)}`));
  if (json) {
    printJson({
      verified: true,
      statement: r.statement,
      signer: r.signer,
      source: r.source,
      checks: r.checks.map(({ statement: _s, ...c }) => c),
    });
    return;
  }
  process.stderr.write(humanLine(line));
  printJson(r.statement.predicate);
}
