package otlptest

import (
	"context"
	"fmt"

	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc/codes"
	_ "google.golang.org/grpc/encoding/gzip" // the collector's gRPC exporters compress with gzip
	"google.golang.org/grpc/status"
)

// grpcTraces is the OTLP/gRPC trace service of a Receiver.
type grpcTraces struct {
	ptraceotlp.UnimplementedGRPCServer
	r *Receiver
}

// Export records a request, re-encoded as protobuf for Raw, and answers as
// the receiver's mode says.
func (g *grpcTraces) Export(ctx context.Context, req ptraceotlp.ExportRequest) (ptraceotlp.ExportResponse, error) {
	raw, err := req.MarshalProto()
	if err != nil {
		return ptraceotlp.NewExportResponse(), fmt.Errorf("cannot encode export request: %w", err)
	}
	g.r.recordRaw(raw)
	switch g.r.currentMode() {
	case ModeFail:
		return ptraceotlp.NewExportResponse(), status.Error(codes.Internal, "export failed (otlptest ModeFail)")
	case ModeUnavailable:
		return ptraceotlp.NewExportResponse(), status.Error(codes.Unavailable, "collector unavailable (otlptest ModeUnavailable)")
	case ModeHang:
		g.r.hang(ctx.Done())
		return ptraceotlp.NewExportResponse(), status.Error(codes.Unavailable, "otlptest ModeHang released")
	}
	traces := ptrace.NewTraces()
	req.Traces().CopyTo(traces)
	g.r.recordSpans(traces)
	return ptraceotlp.NewExportResponse(), nil
}

// grpcMetrics is the OTLP/gRPC metrics service of a Receiver.
type grpcMetrics struct {
	pmetricotlp.UnimplementedGRPCServer
	r *Receiver
}

// Export records a metrics request, re-encoded as protobuf for Raw, and
// answers as the receiver's mode says.
func (g *grpcMetrics) Export(ctx context.Context, req pmetricotlp.ExportRequest) (pmetricotlp.ExportResponse, error) {
	raw, err := req.MarshalProto()
	if err != nil {
		return pmetricotlp.NewExportResponse(), fmt.Errorf("cannot encode export request: %w", err)
	}
	g.r.recordRaw(raw)
	switch g.r.currentMode() {
	case ModeFail:
		return pmetricotlp.NewExportResponse(), status.Error(codes.Internal, "export failed (otlptest ModeFail)")
	case ModeUnavailable:
		return pmetricotlp.NewExportResponse(), status.Error(codes.Unavailable, "collector unavailable (otlptest ModeUnavailable)")
	case ModeHang:
		g.r.hang(ctx.Done())
		return pmetricotlp.NewExportResponse(), status.Error(codes.Unavailable, "otlptest ModeHang released")
	}
	g.r.recordPoints(FlattenMetrics(req.Metrics()))
	return pmetricotlp.NewExportResponse(), nil
}
