// The commented example printed by `modelseal policy init`: a complete, valid policy that shows
// every block. Tests load it, so it cannot drift from the schema.

/** A commented ModelPolicy in YAML that passes `modelseal policy check` as it is. */
export const EXAMPLE_POLICY = `# modelseal ModelPolicy: what must be proven before a model may be deployed.
# Deny by default: every block under spec.require must pass; an unknown field is an error.
apiVersion: modelseal.dev/v1alpha1
kind: ModelPolicy
metadata:
  name: prod-serving
spec:
  # enforce: a failed check stops the deployment (exit 1, DEST absent).
  # audit: failures are reported ("enforced": false) and the command exits 0.
  mode: enforce

  # Who may sign. Each identity is exactly one of keyless, key or certificate.
  # Every *RegExp is anchored (must match the whole value). A list of identities is OR.
  identities:
    acme-training:
      keyless:
        issuer: https://token.actions.githubusercontent.com
        subjectRegExp: 'https://github\\.com/acme/ml-platform/\\.github/workflows/train\\.yml@refs/tags/v[0-9]+\\.[0-9]+\\.[0-9]+'
        extensions: # Fulcio certificate extensions, compared exactly
          sourceRepositoryOwnerURI: https://github.com/acme
          runnerEnvironment: github-hosted
    # release-key:
    #   key:
    #     publicKey: |
    #       -----BEGIN PUBLIC KEY-----
    #       ...
    #       -----END PUBLIC KEY-----
    # corporate-ca:
    #   certificate:
    #     roots: ['-----BEGIN CERTIFICATE-----...']
    #     subjectRegExp: 'CN=ml-release-.*'

  require:
    # Which signatures: the OMS signature (model.sig), the cosign signature, or both.
    signatures:
      oms:
        signedBy: [acme-training]

    # SLSA provenance v1 (https://slsa.dev/provenance/v1).
    provenance:
      signedBy: [acme-training]
      builders: # runDetails.builder.id; maxLevel is the SLSA build level this builder vouches for
        - idRegExp: 'https://github\\.com/acme/ml-platform/\\.github/workflows/train\\.yml@refs/tags/v.*'
          maxLevel: 3
      minLevel: 2
      buildTypes: [https://modelseal.dev/buildtypes/ml-training/v1]
      sources: # externalParameters.workflow and git+ dependencies
        - repository: https://github.com/acme/train
          refRegExp: 'refs/tags/v.*'
      dependencies: # every resolvedDependency (datasets, base models, the git+ source) must be allowed
        allow:
          - uriRegExp: 'git\\+https://github\\.com/acme/train@refs/tags/v.*'
          - uriRegExp: 's3://acme-data/.*'
          - uri: hf://google-bert/bert-base-uncased
            digest: {sha256: 0b3a2f8e4c1d5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b}
        denyUnlisted: true

    # CycloneDX ML-BOM (https://cyclonedx.org/bom): licences as SPDX expressions.
    sbom:
      signedBy: [acme-training]
      licenses:
        deny: [AGPL-3.0-only, AGPL-3.0-or-later, CC-BY-NC-4.0, CC-BY-NC-SA-4.0]
        unknown: deny # a component without an SPDX licence fails
      modelCard:
        require: [modelParameters.datasets, considerations.ethicalConsiderations]

    # Weight files: allowed formats, and a clean pickle scan.
    weights:
      formats: [safetensors, gguf, onnx]
      scan: clean
      # Files of unknown format (no loader the scanner knows) are refused unless named here
      # (globs over the whole model-relative path):
      # allowUnknown: [tokenizer.model]
`;
