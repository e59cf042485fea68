#!/usr/bin/env bash
# build-jaeger.sh builds the Jaeger v2 binary (github.com/jaegertracing/jaeger,
# pinned below) from the Go module proxy and caches it under
# ${AGENTWRAP_CACHE:-$HOME/.cache/agentwrap}/jaeger-<first 16 hex digits of
# sha256(this script)>/jaeger. A rerun with an unchanged script skips the
# build; concurrent runs wait for each other where flock(1) exists. The last
# line of standard output is the binary's path. The module carries no UI
# assets: the binary serves Jaeger's HTTP query API, not its web UI. The
# build takes about ten minutes on two cores.
set -euo pipefail

jaeger_version=v1.75.0
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
script="$here/build-jaeger.sh"
if command -v sha256sum >/dev/null; then
	hash="$(sha256sum "$script" | cut -c1-16)"
else
	hash="$(shasum -a 256 "$script" | cut -c1-16)"
fi
cache="${AGENTWRAP_CACHE:-$HOME/.cache/agentwrap}/jaeger-$hash"
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
echo "building jaeger $jaeger_version into $cache (about ten minutes on two cores)" >&2
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
