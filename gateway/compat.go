package gateway

import "github.com/agentwrap/agentwrap/call"

// The call records moved to package call. These names stay for code that
// has not moved yet.

// Call is call.Call.
//
// Deprecated: transitional; removed before release. Use call.Call.
type Call = call.Call

// Family is call.Family.
//
// Deprecated: transitional; removed before release. Use call.Family.
type Family = call.Family

// Usage is call.Usage.
//
// Deprecated: transitional; removed before release. Use call.Usage.
type Usage = call.Usage

// ContractResult is call.ContractResult.
//
// Deprecated: transitional; removed before release. Use call.ContractResult.
type ContractResult = call.ContractResult

// NoUsage is call.NoUsage.
//
// Deprecated: transitional; removed before release. Use call.NoUsage.
func NoUsage() Usage { return call.NoUsage() }

// The request families.
//
// Deprecated: transitional; removed before release. Use the constants of
// package call.
const (
	FamilyChatCompletions = call.FamilyChatCompletions
	FamilyResponses       = call.FamilyResponses
	FamilyMessages        = call.FamilyMessages
	FamilyCountTokens     = call.FamilyCountTokens
	FamilyGemini          = call.FamilyGemini
	FamilyEmbeddings      = call.FamilyEmbeddings
	FamilyModels          = call.FamilyModels
	FamilyUnknown         = call.FamilyUnknown
)
