package spans

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetricgrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"google.golang.org/grpc/credentials"
)

// OTLP protocols (OTEL_EXPORTER_OTLP_PROTOCOL).
const (
	ProtocolHTTPProtobuf = "http/protobuf"
	ProtocolHTTPJSON     = "http/json"
	ProtocolGRPC         = "grpc"
)

// Signal names an OTLP signal: its name in the OTEL_EXPORTER_OTLP_<SIGNAL>_*
// variables and its OTLP/HTTP path.
type Signal struct {
	Env, Path string
	// Protocols are the protocols agentwrap's exporter of the signal speaks.
	Protocols []string
}

// The signals agentwrap exports.
var (
	SignalTraces  = Signal{Env: "TRACES", Path: "/v1/traces", Protocols: []string{ProtocolHTTPProtobuf, ProtocolHTTPJSON, ProtocolGRPC}}
	SignalMetrics = Signal{Env: "METRICS", Path: "/v1/metrics", Protocols: []string{ProtocolHTTPProtobuf, ProtocolGRPC}}
)

// ExportConfig is the OTLP export configuration of one signal, read from
// the standard OTEL_EXPORTER_OTLP_* variables through agentwrap's
// configuration (never the process environment behind it), the
// signal-specific variable winning over the generic one.
type ExportConfig struct {
	Protocol string
	// URL is the full OTLP/HTTP URL of the signal, or the gRPC endpoint
	// URL (scheme, host and port).
	URL     string
	Headers map[string]string
	// Timeout bounds each export request (_TIMEOUT, milliseconds; 10 s).
	Timeout time.Duration
	// Gzip is set by _COMPRESSION=gzip.
	Gzip bool
	// TLS is the client TLS configuration of an https endpoint, from
	// _CERTIFICATE, _CLIENT_CERTIFICATE and _CLIENT_KEY; nil for http.
	TLS *tls.Config
}

// LoadExportConfig reads the export configuration of sig. enabled is false
// when nothing is to be exported: no endpoint, or the signal's exporter
// variable is set to something other than otlp.
func LoadExportConfig(getenv func(string) string, sig Signal, enabled bool) (ExportConfig, error) {
	var c ExportConfig
	if !enabled {
		return c, nil
	}
	get := func(name string) string {
		if v := strings.TrimSpace(getenv("OTEL_EXPORTER_OTLP_" + sig.Env + "_" + name)); v != "" {
			return v
		}
		return strings.TrimSpace(getenv("OTEL_EXPORTER_OTLP_" + name))
	}
	c.Protocol = get("PROTOCOL")
	if c.Protocol == "" {
		c.Protocol = ProtocolHTTPProtobuf
	}
	supported := false
	for _, p := range sig.Protocols {
		supported = supported || p == c.Protocol
	}
	if !supported {
		return ExportConfig{}, fmt.Errorf("OTLP protocol %q is not supported for %s: use %s (check OTEL_EXPORTER_OTLP_PROTOCOL)",
			c.Protocol, strings.ToLower(sig.Env), strings.Join(sig.Protocols, ", "))
	}
	if u := strings.TrimSpace(getenv("OTEL_EXPORTER_OTLP_" + sig.Env + "_ENDPOINT")); u != "" {
		c.URL = u
	} else if u := strings.TrimSpace(getenv("OTEL_EXPORTER_OTLP_ENDPOINT")); u != "" {
		c.URL = u
		if c.Protocol != ProtocolGRPC {
			c.URL = strings.TrimRight(u, "/") + sig.Path
		}
	}
	if c.URL == "" {
		return ExportConfig{}, nil
	}
	pu, err := url.Parse(c.URL)
	if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
		return ExportConfig{}, errors.New("OTLP endpoint is not an http(s) URL (check OTEL_EXPORTER_OTLP_ENDPOINT)")
	}
	c.Headers = parseKV(getenv("OTEL_EXPORTER_OTLP_HEADERS"))
	for k, v := range parseKV(getenv("OTEL_EXPORTER_OTLP_" + sig.Env + "_HEADERS")) {
		c.Headers[k] = v
	}
	c.Timeout = 10 * time.Second
	if v := get("TIMEOUT"); v != "" {
		ms, err := strconv.Atoi(v)
		if err != nil || ms <= 0 {
			return ExportConfig{}, fmt.Errorf("OTLP timeout %q is not a positive number of milliseconds (check OTEL_EXPORTER_OTLP_TIMEOUT)", v)
		}
		c.Timeout = time.Duration(ms) * time.Millisecond
	}
	switch v := get("COMPRESSION"); v {
	case "", "none":
	case "gzip":
		c.Gzip = true
	default:
		return ExportConfig{}, fmt.Errorf("OTLP compression %q is not supported: use gzip or none (check OTEL_EXPORTER_OTLP_COMPRESSION)", v)
	}
	if pu.Scheme == "https" {
		if c.TLS, err = tlsConfig(get("CERTIFICATE"), get("CLIENT_CERTIFICATE"), get("CLIENT_KEY")); err != nil {
			return ExportConfig{}, err
		}
	}
	return c, nil
}

// tlsConfig builds the client TLS configuration: the system roots, or the
// PEM certificates of ca; a client certificate when both files are named.
func tlsConfig(ca, cert, key string) (*tls.Config, error) {
	c := &tls.Config{MinVersion: tls.VersionTLS12}
	if ca != "" {
		pem, err := os.ReadFile(ca)
		if err != nil {
			return nil, fmt.Errorf("cannot read OTLP certificate (OTEL_EXPORTER_OTLP_CERTIFICATE): %w", err)
		}
		c.RootCAs = x509.NewCertPool()
		if !c.RootCAs.AppendCertsFromPEM(pem) {
			return nil, errors.New("OTLP certificate file holds no PEM certificate (OTEL_EXPORTER_OTLP_CERTIFICATE)")
		}
	}
	if cert != "" || key != "" {
		pair, err := tls.LoadX509KeyPair(cert, key)
		if err != nil {
			return nil, fmt.Errorf("cannot load OTLP client certificate (OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE, _CLIENT_KEY): %w", err)
		}
		c.Certificates = []tls.Certificate{pair}
	}
	return c, nil
}

// exporterEnabled reads OTEL_<SIGNAL>_EXPORTER: otlp (or, for traces,
// unset) exports when an endpoint is configured; none or any other
// exporter name exports nothing. Metrics are exported when
// OTEL_METRICS_EXPORTER=otlp or a metrics endpoint is named: the generic
// endpoint alone does not turn them on (README, "Metrics and the conventions version").
func exporterEnabled(getenv func(string) string, sig Signal) bool {
	e := strings.TrimSpace(getenv("OTEL_" + sig.Env + "_EXPORTER"))
	if sig.Env == SignalMetrics.Env && e == "" {
		return strings.TrimSpace(getenv("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT")) != ""
	}
	return e == "" || e == "otlp"
}

// newSpanExporter creates the OTLP span exporter of c. Every option is set
// explicitly, so that nothing is read from the process environment.
func newSpanExporter(ctx context.Context, c ExportConfig) (sdktrace.SpanExporter, error) {
	if c.Protocol == ProtocolGRPC {
		opts := []otlptracegrpc.Option{otlptracegrpc.WithEndpointURL(c.URL), otlptracegrpc.WithHeaders(c.Headers),
			otlptracegrpc.WithTimeout(c.Timeout)}
		if c.Gzip {
			opts = append(opts, otlptracegrpc.WithCompressor("gzip"))
		}
		if c.TLS != nil {
			opts = append(opts, otlptracegrpc.WithTLSCredentials(credentials.NewTLS(c.TLS)))
		}
		return otlptracegrpc.New(ctx, opts...)
	}
	if c.Protocol == ProtocolHTTPProtobuf {
		return newProtoExporter(c), nil
	}
	opts := []otlptracehttp.Option{otlptracehttp.WithEndpointURL(c.URL), otlptracehttp.WithHeaders(c.Headers),
		otlptracehttp.WithTimeout(c.Timeout), otlptracehttp.WithCompression(otlptracehttp.NoCompression)}
	if c.Gzip {
		opts = append(opts, otlptracehttp.WithCompression(otlptracehttp.GzipCompression))
	}
	if c.TLS != nil {
		opts = append(opts, otlptracehttp.WithTLSClientConfig(c.TLS))
	}
	if c.Protocol == ProtocolHTTPJSON {
		opts = append(opts, otlptracehttp.WithEncoding(otlptracehttp.EncodingJSON))
	}
	return otlptracehttp.New(ctx, opts...)
}

// newMetricExporter creates the OTLP metric exporter of c, with the
// temporality of OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE read
// through getenv.
func newMetricExporter(ctx context.Context, c ExportConfig, getenv func(string) string) (sdkmetric.Exporter, error) {
	temporality, err := temporalitySelector(getenv("OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE"))
	if err != nil {
		return nil, err
	}
	if c.Protocol == ProtocolGRPC {
		opts := []otlpmetricgrpc.Option{otlpmetricgrpc.WithEndpointURL(c.URL), otlpmetricgrpc.WithHeaders(c.Headers),
			otlpmetricgrpc.WithTimeout(c.Timeout), otlpmetricgrpc.WithTemporalitySelector(temporality),
			otlpmetricgrpc.WithAggregationSelector(sdkmetric.DefaultAggregationSelector)}
		if c.Gzip {
			opts = append(opts, otlpmetricgrpc.WithCompressor("gzip"))
		}
		if c.TLS != nil {
			opts = append(opts, otlpmetricgrpc.WithTLSCredentials(credentials.NewTLS(c.TLS)))
		}
		return otlpmetricgrpc.New(ctx, opts...)
	}
	opts := []otlpmetrichttp.Option{otlpmetrichttp.WithEndpointURL(c.URL), otlpmetrichttp.WithHeaders(c.Headers),
		otlpmetrichttp.WithTimeout(c.Timeout), otlpmetrichttp.WithCompression(otlpmetrichttp.NoCompression),
		otlpmetrichttp.WithTemporalitySelector(temporality),
		otlpmetrichttp.WithAggregationSelector(sdkmetric.DefaultAggregationSelector)}
	if c.Gzip {
		opts = append(opts, otlpmetrichttp.WithCompression(otlpmetrichttp.GzipCompression))
	}
	if c.TLS != nil {
		opts = append(opts, otlpmetrichttp.WithTLSClientConfig(c.TLS))
	}
	return otlpmetrichttp.New(ctx, opts...)
}

// temporalitySelector maps the temporality preference (cumulative, delta,
// lowmemory) to a selector; unset is cumulative.
func temporalitySelector(pref string) (sdkmetric.TemporalitySelector, error) {
	switch strings.ToLower(strings.TrimSpace(pref)) {
	case "", "cumulative":
		return sdkmetric.DefaultTemporalitySelector, nil
	case "delta", "lowmemory":
		// Every agentwrap instrument is a histogram or a monotonic
		// counter: both preferences make them delta.
		return func(sdkmetric.InstrumentKind) metricdata.Temporality { return metricdata.DeltaTemporality }, nil
	}
	return nil, fmt.Errorf("metrics temporality %q is not supported: use cumulative, delta or lowmemory (check OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE)", pref)
}

// metricIntervals reads OTEL_METRIC_EXPORT_INTERVAL and
// OTEL_METRIC_EXPORT_TIMEOUT (milliseconds; 60 s and 30 s by default).
func metricIntervals(getenv func(string) string) (interval, timeout time.Duration) {
	ms := func(k string, def time.Duration) time.Duration {
		n, err := strconv.Atoi(strings.TrimSpace(getenv(k)))
		if err != nil || n <= 0 {
			return def
		}
		return time.Duration(n) * time.Millisecond
	}
	return ms("OTEL_METRIC_EXPORT_INTERVAL", 60*time.Second), ms("OTEL_METRIC_EXPORT_TIMEOUT", 30*time.Second)
}
