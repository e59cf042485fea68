#!/usr/bin/env bash
# build-jaeger.sh builds the Jaeger v2 binary (github.com/jaegertracing/jaeger,
# the Go module version pinned below) from the Go module proxy and caches it
# under ${AGENTWRAP_CACHE:-$HOME/.cache/agentwrap}/jaeger-<version>/jaeger.
# A rerun with the same version skips the build; concurrent runs wait for
# each other where flock(1) exists. The last line of standard output is the
# binary's path. The module carries no UI assets: the binary serves Jaeger's
# HTTP query API, and a placeholder page instead of the web UI. The build
# takes ten to thirty minutes on two cores (34 minutes measured on a busy
# machine).
set -euo pipefail

jaeger_version=v1.75.0
cache="${AGENTWRAP_CACHE:-$HOME/.cache/agentwrap}/jaeger-$jaeger_version"
bin="$cache/jaeger"

mkdir -p "$cache"
if command -v flock >/dev/null; then
	exec 9>"$cache/.lock"
	flock 9
fi
if [[ -x "$bin" ]]; then
	echo "$bin"
	exit 0
fi

work="$(mktemp -d "$cache/build.XXXXXX")"
trap 'rm -rf "$work"' EXIT
echo "building jaeger $jaeger_version into $cache (ten to thirty minutes on two cores)" >&2
start=$SECONDS
(
	cd "$work"
	export GOFLAGS=-mod=mod
	go mod init agentwrap.local/jaeger >&2
	go get -tool "github.com/jaegertracing/jaeger/cmd/jaeger@$jaeger_version" >&2
	nice go build -trimpath -o "$work/jaeger" github.com/jaegertracing/jaeger/cmd/jaeger >&2
)
mv "$work/jaeger" "$bin"
echo "built in $((SECONDS - start))s" >&2
echo "$bin"
