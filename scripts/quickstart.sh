#!/usr/bin/env bash
# The README quickstart, end to end on embedded defaults (no registry, no network):
# generate a key, sign a fixture model, verify it, package it as an OCI layout, pull it back
# verified, and show a tampered copy failing.
set -euo pipefail
cd "$(dirname "$0")/.."
# MODELSEAL_BIN runs another build (the single executable: .ci/run runs it on a PATH without node).
if [ -n "${MODELSEAL_BIN:-}" ]; then
  modelseal() { "$MODELSEAL_BIN" "$@"; }
else
  modelseal() { node packages/cli/dist/bin.js "$@"; }
fi
work="$(mktemp -d "${TMPDIR:-/tmp}/modelseal-quickstart.XXXXXX")"
trap 'rm -rf "$work"' EXIT
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

cp -r fixtures/models/sample-model "$work/model"

step modelseal keygen --output-prefix "$work/demo" --no-encrypt
modelseal keygen --output-prefix "$work/demo" --no-encrypt

step modelseal hash "$work/model"
modelseal hash "$work/model"

step modelseal sign "$work/model" --key "$work/demo.key"
modelseal sign "$work/model" --key "$work/demo.key"

step modelseal verify "$work/model" --key "$work/demo.pub"
modelseal verify "$work/model" --key "$work/demo.pub"

step modelseal push "$work/model" "oci:$work/layout:v1"
modelseal push "$work/model" "oci:$work/layout:v1"

step modelseal pull "oci:$work/layout:v1" "$work/pulled"
modelseal pull "oci:$work/layout:v1" "$work/pulled"

step modelseal verify "$work/pulled" --key "$work/demo.pub" --signature "$work/model/model.sig"
modelseal verify "$work/pulled" --key "$work/demo.pub" --signature "$work/model/model.sig"

cp -r "$work/model" "$work/tampered"
first="$(cd "$work/tampered" && find . -type f ! -name model.sig | sort | head -n 1)"
printf 'x' >> "$work/tampered/$first"
step "modelseal verify $work/tampered --key $work/demo.pub   # after appending one byte to $first"
set +e
modelseal verify "$work/tampered" --key "$work/demo.pub"
rc=$?
set -e
if [ "$rc" -ne 1 ]; then
  echo "quickstart: expected the tampered model to fail verification with exit 1, got $rc" >&2
  exit 1
fi
printf '\nThe tampered copy was rejected (exit %s). Quickstart done.\n' "$rc"
