#!/usr/bin/env bash
# build.sh builds the otelcol-agentwrap collector distribution from
# builder.yaml with the OpenTelemetry Collector Builder and caches it under
# ${AGENTWRAP_CACHE:-$HOME/.cache/agentwrap}/otelcol-<sha256 of builder.yaml>/.
# A rerun with an unchanged builder.yaml skips the build. It prints the path
# of the collector binary on its last line of standard output.
set -euo pipefail

builder_version=v0.160.0
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
manifest="$here/builder.yaml"
hash="$(sha256sum "$manifest" | cut -c1-16)"
cache="${AGENTWRAP_CACHE:-$HOME/.cache/agentwrap}/otelcol-$hash"
bin="$cache/otelcol-agentwrap/otelcol-agentwrap"

if [[ -x "$bin" ]]; then
	echo "$bin"
	exit 0
fi

mkdir -p "$cache"
work="$(mktemp -d "$cache/build.XXXXXX")"
trap 'rm -rf "$work"' EXIT
echo "building otelcol-agentwrap into $cache (several minutes on 2 cores)" >&2
start=$SECONDS
(
	cd "$work"
	go run "go.opentelemetry.io/collector/cmd/builder@$builder_version" --config "$manifest" >&2
)
rm -rf "$cache/otelcol-agentwrap"
mv "$work/otelcol-agentwrap" "$cache/otelcol-agentwrap"
echo "built in $((SECONDS - start))s" >&2
echo "$bin"
