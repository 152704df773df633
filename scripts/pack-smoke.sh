#!/usr/bin/env bash
# Installable packages, checked the way a user gets them: publint --strict on both packages,
# arethetypeswrong on @modelseal/core (the CLI is a bin with no library entry), then `pnpm pack` both, `npm install` the two tarballs into an empty temporary directory,
# and run the installed `modelseal` (and `npx modelseal`): --version, blake3, sbom, keygen -> sign -> verify -> a tampered file fails
# (exit 1, TAMPERED_FILE). Also imports @modelseal/core and a subpath export from the install.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

pnpm -r run build >/dev/null
for pkg in core cli; do
  echo "== publint packages/$pkg"
  pnpm exec publint --strict "packages/$pkg"
done
echo "== arethetypeswrong @modelseal/core (ESM only: node16 and bundler resolution)"
(cd packages/core && pnpm exec attw --pack . --profile esm-only)

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir "$WORK/tarballs" "$WORK/app"
pnpm --filter @modelseal/core --filter @modelseal/cli pack --pack-destination "$WORK/tarballs" >/dev/null
ls "$WORK/tarballs"
for t in "$WORK"/tarballs/*.tgz; do
  # only dist/, the README, the licence and package.json are shipped
  extra="$(tar -tzf "$t" | grep -v -E '^package/(dist/|README\.md$|LICENSE$|package\.json$)' || true)"
  if [ -n "$extra" ]; then echo "unexpected files in $t:"; echo "$extra"; exit 1; fi
done

cd "$WORK/app"
npm init -y >/dev/null
npm install --no-audit --no-fund --loglevel=error "$WORK"/tarballs/*.tgz
BIN="$WORK/app/node_modules/.bin/modelseal"

expected="$(node -p "require('$ROOT/packages/cli/package.json').version")"
got="$("$BIN" --version)"
[ "$got" = "$expected" ] || { echo "modelseal --version printed '$got', expected '$expected'"; exit 1; }
echo "== modelseal --version: $got"
got="$(cd "$WORK/app" && npx --no-install modelseal --version)"
[ "$got" = "$expected" ] || { echo "npx modelseal --version printed '$got', expected '$expected'"; exit 1; }
echo "== npx modelseal --version: $got"

node --input-type=module -e "
  const core = await import('@modelseal/core');
  const keys = await import('@modelseal/core/keys');
  if (typeof core.sign !== 'function' || typeof core.verify !== 'function' || typeof keys.loadPublicKeyFile !== 'function') process.exit(1);
  console.log('== import @modelseal/core:', Object.keys(core).length, 'root exports');
"

cp -R "$ROOT/fixtures/models/sample-model" "$WORK/model"
export COSIGN_PASSWORD=pack-smoke
"$BIN" keygen --output-prefix "$WORK/key" >/dev/null
"$BIN" sign "$WORK/model" --key "$WORK/key.key" >/dev/null
"$BIN" verify "$WORK/model" --key "$WORK/key.pub"
# The bundle's lazy parts from the installed package: the native BLAKE3 (its one dependency), and
# the CycloneDX bundle in dist/lazy/ with the schemas in dist/data/.
b3="$("$BIN" hash "$WORK/model" --hash blake3)"
[ "$b3" = "$(node "$ROOT/packages/cli/dist/bin.js" hash "$WORK/model" --hash blake3)" ] || { echo "blake3 digest differs: $b3"; exit 1; }
"$BIN" sbom "$WORK/model" --output "$WORK/bom.json"
node -e "const b = require('$WORK/bom.json'); if (b.bomFormat !== 'CycloneDX' || b.specVersion !== '1.6') process.exit(1)"
echo "== blake3 $b3 and a validated CycloneDX BOM from the installed package"
printf 'tampered' >> "$WORK/model/f0"
set +e
out="$("$BIN" verify "$WORK/model" --key "$WORK/key.pub" 2>&1)"
rc=$?
set -e
if [ "$rc" != 1 ] || ! grep -q 'error\[TAMPERED_FILE\]' <<<"$out"; then
  echo "a tampered model must fail with exit 1 and TAMPERED_FILE; got exit $rc: $out"
  exit 1
fi
echo "== tampered model: exit $rc, $out"
echo "== pack-and-install round trip passed"
