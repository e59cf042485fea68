package spans

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// recordingExporter records the span names of every export; gate, when
// set, holds each export until it is closed; fail makes exports fail.
type recordingExporter struct {
	mu      sync.Mutex
	batches [][]string
	gate    chan struct{}
	fail    error
	block   bool // wait for ctx instead of exporting
	exports chan int
}

func (e *recordingExporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	if e.block {
		<-ctx.Done()
		return ctx.Err()
	}
	if e.gate != nil {
		<-e.gate
	}
	if e.fail != nil {
		return e.fail
	}
	names := make([]string, len(spans))
	for i, s := range spans {
		names[i] = s.Name()
	}
	e.mu.Lock()
	e.batches = append(e.batches, names)
	e.mu.Unlock()
	if e.exports != nil {
		e.exports <- len(spans)
	}
	return nil
}

func (e *recordingExporter) Shutdown(context.Context) error { return nil }

func (e *recordingExporter) names() (all []string, sizes []int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, b := range e.batches {
		all = append(all, b...)
		sizes = append(sizes, len(b))
	}
	return all, sizes
}

// endSpans ends n spans named s0, s1, ... through a provider using b.
func endSpans(tr trace.Tracer, from, n int) {
	for i := from; i < from+n; i++ {
		_, s := tr.Start(context.Background(), "s"+string(rune('a'+i%26))+itoa(i))
		s.End()
	}
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

func newTestBatcher(t *testing.T, e *recordingExporter, o batcherOptions) (*batcher, trace.Tracer) {
	t.Helper()
	b := newBatcher(e, o)
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(b))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return b, tp.Tracer("test")
}

func TestBatcherExportsFullBatchesAtOnceAndTheRestOnFlush(t *testing.T) {
	e := &recordingExporter{exports: make(chan int, 16)}
	b, tr := newTestBatcher(t, e, batcherOptions{Delay: time.Hour, BatchMax: 4, QueueMax: 16})
	endSpans(tr, 0, 4)
	select {
	case n := <-e.exports:
		if n != 4 {
			t.Fatalf("first export had %d spans, want 4", n)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a full batch was not exported before the schedule delay")
	}
	endSpans(tr, 4, 2)
	if err := b.ForceFlush(context.Background()); err != nil {
		t.Fatal(err)
	}
	names, sizes := e.names()
	want := []string{"sa0", "sb1", "sc2", "sd3", "se4", "sf5"}
	if len(names) != len(want) || len(sizes) != 2 || sizes[1] != 2 {
		t.Fatalf("exported %v in batches %v, want %v in 4+2", names, sizes, want)
	}
	for i := range want {
		if names[i] != want[i] {
			t.Fatalf("exported %v, want %v (in the order spans ended)", names, want)
		}
	}
}

func TestBatcherExportsOnTheScheduleDelay(t *testing.T) {
	e := &recordingExporter{exports: make(chan int, 16)}
	_, tr := newTestBatcher(t, e, batcherOptions{Delay: 20 * time.Millisecond, BatchMax: 512})
	endSpans(tr, 0, 1)
	select {
	case n := <-e.exports:
		if n != 1 {
			t.Fatalf("exported %d spans, want 1", n)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a lone span was never exported")
	}
}

func TestBatcherDropsBeyondTheQueueWhileTheCollectorIsSlow(t *testing.T) {
	e := &recordingExporter{gate: make(chan struct{}), exports: make(chan int, 16)}
	b, tr := newTestBatcher(t, e, batcherOptions{Delay: time.Hour, BatchMax: 4, QueueMax: 6})
	endSpans(tr, 0, 4) // taken by the export goroutine, which waits at the gate
	deadline := time.Now().Add(10 * time.Second)
	for {
		b.mu.Lock()
		n := len(b.queue)
		b.mu.Unlock()
		if n == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Millisecond)
	}
	endSpans(tr, 4, 8) // 6 queued, 2 dropped
	close(e.gate)
	if err := b.ForceFlush(context.Background()); err != nil {
		t.Fatal(err)
	}
	names, _ := e.names()
	if len(names) != 10 || names[9] != "sj9" {
		t.Fatalf("exported %v, want the first 10 spans (queue 6 after a batch of 4)", names)
	}
}

func TestBatcherShutdownIsBoundedByItsContext(t *testing.T) {
	e := &recordingExporter{block: true}
	b, tr := newTestBatcher(t, e, batcherOptions{Delay: time.Hour})
	endSpans(tr, 0, 3)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- b.Shutdown(ctx) }()
	select {
	case err := <-done:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Shutdown with a collector that never answers = %v, want the deadline", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Shutdown did not return when its context ended")
	}
	endSpans(tr, 3, 1) // after Shutdown: ignored
	if err := b.Shutdown(context.Background()); err != nil {
		t.Fatalf("second Shutdown: %v", err)
	}
}

func TestBatcherReportsExportErrorsToTheOTelHandler(t *testing.T) {
	errs := make(chan error, 4)
	prev := otel.GetErrorHandler()
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) { errs <- err }))
	t.Cleanup(func() { otel.SetErrorHandler(prev) })
	boom := errors.New("collector said no")
	e := &recordingExporter{fail: boom}
	_, tr := newTestBatcher(t, e, batcherOptions{Delay: time.Hour, BatchMax: 2})
	endSpans(tr, 0, 2)
	timeout := time.After(10 * time.Second)
	for {
		select {
		case err := <-errs:
			if errors.Is(err, boom) {
				return
			}
			// Another test's batcher may still report its own error.
		case <-timeout:
			t.Fatal("a failed export was not reported")
		}
	}
}

func TestBatcherOptionsFromEnvironment(t *testing.T) {
	env := map[string]string{
		"OTEL_BSP_SCHEDULE_DELAY": "250", "OTEL_BSP_EXPORT_TIMEOUT": "1500",
		"OTEL_BSP_MAX_QUEUE_SIZE": "100", "OTEL_BSP_MAX_EXPORT_BATCH_SIZE": "bogus",
	}
	o := batcherOptionsFrom(func(k string) string { return env[k] })
	b := newBatcher(&recordingExporter{}, o)
	defer b.Shutdown(context.Background())
	if b.delay != 250*time.Millisecond || b.timeout != 1500*time.Millisecond || b.queueMax != 100 || b.batchMax != 100 {
		t.Errorf("delay %v timeout %v queue %d batch %d; want 250ms 1.5s 100 100 (a batch never exceeds the queue)",
			b.delay, b.timeout, b.queueMax, b.batchMax)
	}
}
