package spans

import (
	"fmt"

	"go.opentelemetry.io/otel/attribute"

	"github.com/agentwrap/agentwrap/call"
)

// Attributes are the run span's attributes of the tally: the counts, and
// the first refused request's method, path and reason. Nothing when the
// gateway answered no request itself.
func (t LocalTally) Attributes() []attribute.KeyValue {
	var a []attribute.KeyValue
	if t.Probes > 0 {
		a = append(a, ProbeRequests.Int(t.Probes))
	}
	if t.Rejected > 0 {
		a = append(a, RejectedRequests.Int(t.Rejected),
			RejectedMethod.String(t.First.Method),
			RejectedPath.String(t.First.Path),
			RejectedReason.String(string(t.First.Reason)))
	}
	return a
}

// Outcome is what the refused requests make of the run: a refused request
// on a model path looks like the agent's own model call, which never
// reached the upstream, so the run needs follow-up with a note that says
// which call was refused and why. Other refused requests and probes leave
// the run's result alone (pass, with an empty note).
func (t LocalTally) Outcome() Outcome {
	if t.RejectedModel == 0 {
		return Outcome{Result: ResultPass, Failure: FailureNone}
	}
	f := t.FirstModel
	n := fmt.Sprintf("gateway refused %s %s: %s", f.Method, f.Path, refusalWhy(f.Reason))
	if t.RejectedModel > 1 {
		n += fmt.Sprintf(" (%d model calls refused)", t.RejectedModel)
	}
	return Outcome{Result: ResultNeedsFollowUp, Failure: FailureOperatorFollowUp, Note: n}
}

// refusalWhy explains a refusal and what to look at.
func refusalWhy(r call.LocalReason) string {
	switch r {
	case call.LocalNoToken:
		return "no credential, the run token was not used"
	case call.LocalWrongToken:
		return "not the run token, the agent may use a key of its own"
	case call.LocalHostRefused:
		return "Host names another server (DNS-rebinding guard)"
	case call.LocalOriginRefused:
		return "browser request (Origin header)"
	case call.LocalOutsideTree:
		return "run token presented from a process outside the wrapped agent's process tree"
	case call.LocalUpgradeRefused:
		return "protocol upgrade (WebSocket) refused while agentwrap holds the key; use plain HTTP"
	}
	return string(r)
}
