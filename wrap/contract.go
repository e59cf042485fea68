package wrap

import (
	"github.com/agentwrap/agentwrap/contract"
	"github.com/agentwrap/agentwrap/gateway"
)

// The run wires the contract into the gateway here, so that neither package
// imports the other: contract.Checker has the gateway's Checker method set.
var _ gateway.Checker = (*contract.Checker)(nil)

// gatewayChecker is the gateway's contract check for manifest m.
func gatewayChecker(m *contract.Manifest) gateway.Checker { return contract.NewChecker(m) }
