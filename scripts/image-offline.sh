#!/usr/bin/env bash
# scripts/image-offline.sh: build agentcored's image with no network
# (Dockerfile.offline: FROM scratch, the static binary built here), with
# podman or docker, then try to run it. Building must work; running may be
# refused by a sandbox that denies the OCI runtime its setrlimit calls, which
# the script reports without failing.
#
#   IMAGE_TAG   the tag to build (default agentcored:offline)
set -euo pipefail
cd "$(dirname "$0")/.."
tag=${IMAGE_TAG:-agentcored:offline}
tool=$(command -v podman || command -v docker || true)
if [ -z "$tool" ]; then
	echo "neither podman nor docker is installed" >&2
	exit 1
fi
ctx=$(mktemp -d /tmp/agentcored-image.XXXXXX)
trap 'rm -rf "$ctx"' EXIT
version=$(git describe --always --dirty 2>/dev/null || echo dev)
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=$version" -o "$ctx/agentcored" ./cmd/agentcored
mkdir "$ctx/data"
cp Dockerfile.offline "$ctx/Dockerfile"
"$tool" build -q -t "$tag" "$ctx" >/dev/null
echo "built $tag with $(basename "$tool") ($(du -h "$ctx/agentcored" | cut -f1) binary, no base image)"
echo "entrypoint: $("$tool" image inspect --format '{{.Config.Entrypoint}}' "$tag")"
if out=$("$tool" run --rm --entrypoint /agentcored "$tag" version 2>&1); then
	echo "ran $tag: $out"
elif grep -qiE 'setrlimit|operation not permitted' <<<"$out"; then
	echo "this machine's sandbox refuses to run containers (the image is built; run it elsewhere): $out"
else
	echo "running $tag failed: $out" >&2
	exit 1
fi
