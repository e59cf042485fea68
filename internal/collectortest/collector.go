package collectortest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"
)

// startTimeout bounds how long Start waits for the collector's receivers.
const startTimeout = 60 * time.Second

// Collector is an otelcol-agentwrap process started by Start. Its receivers
// listen on loopback ports chosen for it.
type Collector struct {
	// GRPCAddr is the host:port of the OTLP/gRPC receiver.
	GRPCAddr string
	// HTTPEndpoint is the base URL of the OTLP/HTTP receiver, for
	// OTEL_EXPORTER_OTLP_ENDPOINT; traces go to HTTPEndpoint + "/v1/traces".
	HTTPEndpoint string

	cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{}
	err  error
}

// Start runs the collector binary with the configuration file config and
// env (KEY=VALUE entries), on free loopback ports for OTLP_GRPC_LISTEN,
// OTLP_HTTP_LISTEN and OTELCOL_METRICS_PORT unless env sets them. It waits
// until both receivers accept connections and stops the collector when the
// test ends.
func Start(tb testing.TB, config string, env ...string) *Collector {
	tb.Helper()
	bin := Binary(tb)
	env = append(baseEnv(), env...)
	for _, key := range []string{"OTLP_GRPC_LISTEN", "OTLP_HTTP_LISTEN"} {
		if !sets(env, key) {
			env = append(env, key+"="+FreeAddr(tb))
		}
	}
	if !sets(env, "OTELCOL_METRICS_PORT") {
		_, port, _ := net.SplitHostPort(FreeAddr(tb))
		env = append(env, "OTELCOL_METRICS_HOST=127.0.0.1", "OTELCOL_METRICS_PORT="+port)
	}
	c := &Collector{
		GRPCAddr:     lookup(env, "OTLP_GRPC_LISTEN"),
		HTTPEndpoint: "http://" + lookup(env, "OTLP_HTTP_LISTEN"),
		out:          &syncBuffer{},
		done:         make(chan struct{}),
	}
	c.cmd = exec.Command(bin, "--config", config)
	c.cmd.Env = env
	c.cmd.Stdout = c.out
	c.cmd.Stderr = c.out
	if err := c.cmd.Start(); err != nil {
		tb.Fatalf("cannot start %s: %v", bin, err)
	}
	go func() {
		c.err = c.cmd.Wait()
		close(c.done)
	}()
	tb.Cleanup(c.stop)
	if err := c.waitReady(lookup(env, "OTLP_HTTP_LISTEN")); err != nil {
		tb.Fatalf("collector did not start: %v\n%s", err, c.Output())
	}
	return c
}

// Output returns what the collector has written to stdout and stderr.
func (c *Collector) Output() string {
	return c.out.String()
}

func (c *Collector) waitReady(httpAddr string) error {
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	for _, addr := range []string{c.GRPCAddr, httpAddr} {
		if err := c.waitListening(ctx, addr); err != nil {
			return err
		}
	}
	return nil
}

func (c *Collector) waitListening(ctx context.Context, addr string) error {
	var d net.Dialer
	for {
		conn, err := d.DialContext(ctx, "tcp", addr)
		if err == nil {
			return conn.Close()
		}
		select {
		case <-c.done:
			return fmt.Errorf("collector exited: %v", c.err)
		case <-ctx.Done():
			return fmt.Errorf("nothing listens on %s: %w", addr, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// stop sends SIGTERM, so the collector flushes its exporters, and kills it
// if it has not exited within startTimeout.
func (c *Collector) stop() {
	select {
	case <-c.done:
		return
	default:
	}
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		_ = c.cmd.Process.Kill()
	}
	select {
	case <-c.done:
	case <-time.After(startTimeout):
		_ = c.cmd.Process.Kill()
		<-c.done
	}
}

// FreeAddr returns a loopback host:port that was free a moment ago.
func FreeAddr(tb testing.TB) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("cannot find a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().String()
}

// syncBuffer is a bytes.Buffer safe for concurrent writes and reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
