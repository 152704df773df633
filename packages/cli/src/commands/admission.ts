// `modelseal admission serve`: run the Kubernetes admission webhook (HTTPS, /mutate and /validate)
// from core's createAdmissionServer; this file only parses flags, prints one JSON line per review
// and stops on SIGTERM/SIGINT.
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { Command } from 'commander';
import { ModelsealError } from '@modelseal/core';
import { createAdmissionServer } from '@modelseal/core/admission';
import { loadPolicy, policyVerifier } from '@modelseal/core/policy';
import { humanLine } from '../output.js';
import { policyTrustFromFlags } from './keyless-flags.js';
import { addRegistryFlags, registryOptionsFrom, type RegistryFlags } from './registry-flags.js';
import { parseDuration } from './duration-flag.js';

/** The parsed flags of `admission serve`. */
interface ServeFlags extends RegistryFlags {
  tlsCert: string;
  tlsKey: string;
  policy: string;
  image: string;
  listen: string;
  policyConfigMap: string;
  registrySecret?: string;
  reviewTimeout: string;
  cacheTtl: string;
  trustedRoot?: string;
}

/** `:8443`, `0.0.0.0:8443`, `[::1]:8443` -> host and port. */
export function parseListen(text: string): { host?: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535)
    throw new ModelsealError('USAGE', `--listen must be [HOST]:PORT (e.g. :8443), got '${text}'`);
  const host = m[1] ?? m[2];
  return host ? { host, port } : { port };
}

async function readPem(file: string, flag: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (e) {
    throw new ModelsealError('UNREADABLE', `${flag} ${file}: ${(e as Error).message}`, { cause: e });
  }
}

async function serve(flags: ServeFlags): Promise<void> {
  const listen = parseListen(flags.listen);
  const timeoutMs = parseDuration(flags.reviewTimeout, '--review-timeout');
  const cacheTtlMs = parseDuration(flags.cacheTtl, '--cache-ttl');
  const loaded = await loadPolicy(flags.policy);
  const verifier = policyVerifier(loaded.policy, policyTrustFromFlags(flags));
  const server = createAdmissionServer({
    ...(await registryOptionsFrom(flags)),
    tls: { cert: await readPem(flags.tlsCert, '--tls-cert'), key: await readPem(flags.tlsKey, '--tls-key') },
    policy: loaded,
    verifier,
    image: flags.image,
    policyConfigMap: flags.policyConfigMap,
    ...(flags.registrySecret !== undefined ? { registrySecret: flags.registrySecret } : {}),
    timeoutMs,
    cacheTtlMs,
    onReview: (entry) => void process.stdout.write(`${JSON.stringify({ time: new Date(), ...entry })}\n`),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const where = address.includes(':') ? `[${address}]` : address;
  process.stderr.write(
    humanLine(
      `modelseal: admission webhook on https://${where}:${port} (policy ${loaded.policy.metadata.name}, ${loaded.policy.spec.mode} mode)`,
    ),
  );
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      server.close(() => resolve());
      server.closeAllConnections();
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}

export function registerAdmission(program: Command): void {
  const admission = program
    .command('admission')
    .description("Kubernetes admission webhook: verify a Pod's model before it is admitted");
  const cmd = admission
    .command('serve')
    .description(
      'Serve AdmissionReview v1 over HTTPS: /mutate adds the verifying init container, /validate applies the policy',
    )
    .requiredOption(
      '--tls-cert <file>',
      'server certificate chain (PEM), e.g. from a cert-manager Certificate',
    )
    .requiredOption('--tls-key <file>', 'server private key (PEM)')
    .requiredOption('--policy <file>', 'the ModelPolicy every model must pass (its mode: enforce or audit)')
    .requiredOption('--image <image>', 'the modelseal init-container image to inject (pin it by digest)')
    .option('--listen <[host]:port>', 'address to listen on', ':8443')
    .option(
      '--policy-config-map <name>',
      "ConfigMap (policy.yaml) the init container reads, in the Pod's namespace",
      'modelseal-policy',
    )
    .option(
      '--registry-secret <name>',
      "dockerconfigjson Secret the init container pulls with, in the Pod's namespace",
    )
    .option(
      '--review-timeout <duration>',
      'longest time one review may take (at most the webhook timeoutSeconds)',
      '10s',
    )
    .option('--cache-ttl <duration>', 'how long a verdict is reused for a digest', '5m')
    .option(
      '--trusted-root <file>',
      'Sigstore trusted_root.json for keyless identities (default: public-good)',
    );
  cmd.addHelpText(
    'after',
    `
A Pod annotated  modelseal.dev/model: REGISTRY/REPO:TAG  (and optionally modelseal.dev/mount-path:
/models/model) is rewritten by /mutate: the tag is resolved to a digest now, and the Pod gets the
verifying init container (modelseal pull REF@DIGEST), its volumes, and the model mounted read-only at
the mount path in every container. /validate refuses a Pod whose model the policy denies (the
message names each failed check), or that carries the model volume without that init container.
Evidence (signatures, attestations) is read from the registry, never the weights; a policy 'weights'
block is checked by the init container. Registry errors and timeouts refuse the Pod (audit mode:
admit with a warning). One JSON line per review goes to stdout.

Examples:
  $ modelseal admission serve --tls-cert /tls/tls.crt --tls-key /tls/tls.key \\
      --policy /etc/modelseal/policy.yaml --image registry.example.com/modelseal@sha256:...
  $ modelseal admission serve ... --registry-secret modelseal-registry --review-timeout 8s
Manifests: deploy/kubernetes/admission/ (Deployment, Service, webhook configurations, Certificate).
`,
  );
  addRegistryFlags(cmd);
  cmd.action(serve);
}
