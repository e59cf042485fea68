package otlptest

import (
	"net/http"

	"google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// gRPC status codes used in error bodies, as OTLP/HTTP prescribes.
const (
	codeInvalidArgument = 3
	codeInternal        = 13
	codeUnavailable     = 14
)

// writeStatus answers an error with an OTLP/HTTP error body: a
// google.rpc.Status in the request's encoding.
func writeStatus(w http.ResponseWriter, ct string, httpCode int, msg string) {
	st := &status.Status{Code: grpcCode(httpCode), Message: msg}
	var (
		body []byte
		err  error
	)
	if ct == ContentTypeJSON {
		body, err = protojson.Marshal(st)
	} else {
		body, err = proto.Marshal(st)
	}
	if err != nil {
		http.Error(w, msg, httpCode)
		return
	}
	w.Header().Set("Content-Type", ct)
	w.WriteHeader(httpCode)
	_, _ = w.Write(body)
}

func grpcCode(httpCode int) int32 {
	switch httpCode {
	case http.StatusBadRequest:
		return codeInvalidArgument
	case http.StatusServiceUnavailable:
		return codeUnavailable
	default:
		return codeInternal
	}
}
