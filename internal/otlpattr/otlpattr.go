// Package otlpattr holds what agentwrap's two OTLP encoders share: the
// run file's JSON (spans/runfile) and the OTLP/HTTP exporter's protobuf
// (spans). Both write a span's attributes with each key once, as the SDK
// and pcommon.Map keep them, and the span flags the same way.
package otlpattr

import (
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

// HasDuplicateKeys reports whether two of kvs have the same key. It runs
// for every span both encoders write, where duplicates are rare: a
// 256-bit filter over a cheap hash of each key (its length and two of its
// bytes) leaves exact comparisons to the keys whose hashes collide.
func HasDuplicateKeys(kvs []attribute.KeyValue) bool {
	if len(kvs) < 2 {
		return false
	}
	var seen [4]uint64
	for i := range kvs {
		h := keyHash(string(kvs[i].Key))
		bit := uint64(1) << (h & 63)
		if seen[h>>6]&bit != 0 && indexKey(kvs[:i], kvs[i].Key) >= 0 {
			return true
		}
		seen[h>>6] |= bit
	}
	return false
}

// keyHash is a byte of k's length and its last and middle bytes.
func keyHash(k string) uint8 {
	n := len(k)
	if n == 0 {
		return 0
	}
	return uint8(n*7) ^ k[n-1]*3 ^ k[n/2]
}

func indexKey(kvs []attribute.KeyValue, k attribute.Key) int {
	for i := range kvs {
		if kvs[i].Key == k {
			return i
		}
	}
	return -1
}

// DedupeKeys returns kvs with each key once, at its first place, with its
// last value (as pcommon.Map.PutEmpty and the SDK's attribute set keep
// them).
func DedupeKeys(kvs []attribute.KeyValue) []attribute.KeyValue {
	out := make([]attribute.KeyValue, 0, len(kvs))
	if len(kvs) <= 64 {
		for _, kv := range kvs {
			if j := indexKey(out, kv.Key); j >= 0 {
				out[j].Value = kv.Value
				continue
			}
			out = append(out, kv)
		}
		return out
	}
	at := make(map[attribute.Key]int, len(kvs))
	for _, kv := range kvs {
		if j, ok := at[kv.Key]; ok {
			out[j].Value = kv.Value
			continue
		}
		at[kv.Key] = len(out)
		out = append(out, kv)
	}
	return out
}

// Unique returns kvs, or DedupeKeys(kvs) when a key repeats.
func Unique(kvs []attribute.KeyValue) []attribute.KeyValue {
	if HasDuplicateKeys(kvs) {
		return DedupeKeys(kvs)
	}
	return kvs
}

// The OTLP span flags beyond the W3C trace flags.
const (
	flagHasIsRemote = 0x100
	flagIsRemote    = 0x200
)

// SpanFlags returns the OTLP flags of a span or link: the W3C trace flags,
// and whether other, the parent (or linked) span context, is remote.
func SpanFlags(tf trace.TraceFlags, other trace.SpanContext) uint32 {
	f := uint32(tf) | flagHasIsRemote
	if other.IsRemote() {
		f |= flagIsRemote
	}
	return f
}
