package wrap

import (
	"github.com/agentwrap/agentwrap/call"
	"github.com/agentwrap/agentwrap/contract"
	"github.com/agentwrap/agentwrap/gateway"
)

// The run wires the contract into the gateway here, so that neither package
// imports the other: contract.Checker has the gateway's Checker method set.
var _ gateway.Checker = (*contract.Checker)(nil)

// gatewayChecker is the gateway's contract check for manifest m.
func gatewayChecker(m *contract.Manifest) gateway.Checker { return contract.NewChecker(m) }

// gatewayRoutes are the manifest's endpoints as gateway routes: a manifest
// that documents a known family on a path the registry does not hold gets
// that path recognised. Paths the registry holds keep the registry's
// family.
func gatewayRoutes(m *contract.Manifest) []call.Route {
	var rs []call.Route
	for _, e := range m.Endpoints {
		f := call.Family(e.Family)
		if !call.Known(f) {
			continue // lint refuses such a manifest; never reached
		}
		rs = append(rs, call.Route{Family: f, Method: e.Method, Path: e.Path, Stream: e.StreamAlways})
	}
	return rs
}
