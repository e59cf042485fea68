package main

import (
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

func TestExportConfig(t *testing.T) {
	env := map[string]string{
		"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://env-collector:4318/v1/traces",
		"OTEL_EXPORTER_OTLP_HEADERS":         "authorization=Bearer%20sk-canary-hdr",
		"OTEL_TRACES_EXPORTER":               "none",
	}
	getenv := func(k string) string { return env[k] }
	for flag, want := range map[string]string{
		"http://127.0.0.1:4318":            "http://127.0.0.1:4318/v1/traces",
		"http://127.0.0.1:4318/":           "http://127.0.0.1:4318/v1/traces",
		"http://127.0.0.1:4318/v1/traces":  "http://127.0.0.1:4318/v1/traces",
		"https://c.example/otlp/v1/traces": "https://c.example/otlp/v1/traces",
	} {
		cfg, err := exportConfig(flag, getenv)
		if err != nil || cfg.TracesURL != want || cfg.Headers["authorization"] != "Bearer sk-canary-hdr" {
			t.Errorf("exportConfig(%q) = %+v, %v; want %s with the environment's headers", flag, cfg, err, want)
		}
	}
	delete(env, "OTEL_TRACES_EXPORTER")
	if cfg, err := exportConfig("", getenv); err != nil || cfg.TracesURL != env["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] {
		t.Errorf("from the environment: %+v, %v", cfg, err)
	}
	for _, bad := range []string{"ftp://x", "not a url"} {
		_, err := exportConfig(bad, getenv)
		if ec, ok := err.(cli.ExitCoder); !ok || ec.ExitCode() != 2 || !strings.Contains(err.Error(), "--endpoint") {
			t.Errorf("exportConfig(%q): %v", bad, err)
		}
	}
}
