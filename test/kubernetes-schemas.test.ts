// Every shipped Kubernetes manifest (deploy/kubernetes, the admission webhook's included) validated
// against the Kubernetes OpenAPI schemas as the kubernetes-models package carries them (and
// cert-manager's CRD schemas for the Certificate): a wrong type, a missing required field or a
// misspelt enum fails here, not at `kubectl apply`. NetworkPolicies and the image-volume Deployment,
// which podman cannot run, are covered this way too.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Certificate, Issuer } from '@kubernetes-models/cert-manager/cert-manager.io/v1';
import {
  MutatingWebhookConfiguration,
  ValidatingWebhookConfiguration,
} from 'kubernetes-models/admissionregistration.k8s.io/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { ConfigMap, Pod, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const K8S = path.join(repo, 'deploy/kubernetes');

type Obj = Record<string, unknown>;
type Model = new (data: never) => { validate(): void };

const MODELS: Record<string, Model> = {
  'v1/Pod': Pod,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'apps/v1/Deployment': Deployment,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'admissionregistration.k8s.io/v1/MutatingWebhookConfiguration': MutatingWebhookConfiguration,
  'admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration': ValidatingWebhookConfiguration,
  'cert-manager.io/v1/Certificate': Certificate,
  'cert-manager.io/v1/Issuer': Issuer,
};

/** Validate `doc` with the model of its apiVersion/kind; throws the schema errors. */
function validate(doc: Obj): void {
  const key = `${String(doc.apiVersion)}/${String(doc.kind)}`;
  const Model = MODELS[key];
  if (!Model) throw new Error(`no schema for ${key}`);
  new Model(doc as never).validate();
}

function manifests(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.yaml'))
    .map((e) => path.relative(K8S, path.join(e.parentPath, e.name)))
    .sort();
}

describe('shipped Kubernetes manifests against the OpenAPI schemas', () => {
  const files = manifests(K8S);
  it('finds every manifest, the admission webhook included', () => {
    expect(files).toEqual([
      'admission/certificate.yaml',
      'admission/deployment.yaml',
      'admission/webhooks.yaml',
      'deployment.yaml',
      'image-volume-deployment.yaml',
      'networkpolicies.yaml',
      'policy-configmap.yaml',
      'registry-secret.yaml',
      'watch-sidecar.yaml',
    ]);
  });

  it.each(files)('%s: every document is schema-valid', (file) => {
    const docs = parseAllDocuments(readFileSync(path.join(K8S, file), 'utf8'));
    const objs = (Array.isArray(docs) ? docs : [docs]).map((d) => d.toJS() as Obj);
    expect(objs.length).toBeGreaterThan(0);
    for (const o of objs) expect(() => validate(o), `${file}: ${String(o.kind)}`).not.toThrow();
  });

  it('the validation fails for real: a wrong type, a missing field, a scalar for a list', () => {
    const docs = parseAllDocuments(readFileSync(path.join(K8S, 'deployment.yaml'), 'utf8'));
    const deployment = (Array.isArray(docs) ? docs[0] : docs).toJS() as {
      spec: { template: { spec: { containers: Obj[]; volumes: Obj[] } } };
    };
    const broken = structuredClone(deployment);
    (broken.spec.template.spec.containers[0].volumeMounts as Obj[])[0].readOnly = 'yes';
    expect(() => validate(broken as never)).toThrow(/readOnly must be boolean/);
    const noName = structuredClone(deployment);
    delete noName.spec.template.spec.containers[0].name;
    expect(() => validate(noName as never)).toThrow(/containers\/0 must have required property name$/);
    const webhooks = parseAllDocuments(readFileSync(path.join(K8S, 'admission/webhooks.yaml'), 'utf8'));
    const mutating = (Array.isArray(webhooks) ? webhooks[0] : webhooks).toJS() as { webhooks: Obj[] };
    mutating.webhooks[0].admissionReviewVersions = 'v1';
    expect(() => validate(mutating as never)).toThrow(/admissionReviewVersions must be array/);
  });
});
