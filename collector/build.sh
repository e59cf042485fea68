#!/usr/bin/env bash
# build.sh builds the otelcol-agentwrap collector distribution from
# builder.yaml with the OpenTelemetry Collector Builder and caches it under
# ${AGENTWRAP_CACHE:-$HOME/.cache/agentwrap}/otelcol-<first 16 hex digits of
# sha256(builder.yaml)>/otelcol-agentwrap/. A rerun with an unchanged
# builder.yaml skips the build; concurrent runs wait for each other where
# flock(1) exists. The last line of standard output is the binary's path.
# The build takes about five minutes on two cores and needs the Go module
# proxy.
set -euo pipefail

builder_version=v0.160.0
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
manifest="$here/builder.yaml"
if command -v sha256sum >/dev/null; then
	hash="$(sha256sum "$manifest" | cut -c1-16)"
else
	hash="$(shasum -a 256 "$manifest" | cut -c1-16)"
fi
cache="${AGENTWRAP_CACHE:-$HOME/.cache/agentwrap}/otelcol-$hash"
bin="$cache/otelcol-agentwrap/otelcol-agentwrap"

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
echo "building otelcol-agentwrap into $cache (about five minutes on two cores)" >&2
start=$SECONDS
(
	cd "$work"
	nice go run "go.opentelemetry.io/collector/cmd/builder@$builder_version" --config "$manifest" >&2
)
rm -rf "$cache/otelcol-agentwrap"
mv "$work/otelcol-agentwrap" "$cache/otelcol-agentwrap"
echo "built in $((SECONDS - start))s" >&2
echo "$bin"
