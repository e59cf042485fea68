package redact

// prefixRule recognises a credential by the fixed prefix its issuer puts on
// it. The rules are built from the credential table (credentials.go).
type prefixRule struct {
	prefix string
	min    int    // minimum length of the rest of the word
	rest   uint16 // character class every byte of the rest must have
}

// prefixRules are the rules of every prefix format of the credential table.
var prefixRules = func() []prefixRule {
	var rs []prefixRule
	for _, f := range credentialFormats {
		for _, p := range f.Prefixes {
			rs = append(rs, prefixRule{prefix: p, min: f.MinRest, rest: f.Rest.class()})
		}
	}
	return rs
}()

// rulesByFirst groups prefixRules by their first byte, so a word whose first
// byte starts no prefix costs one table lookup.
var rulesByFirst = func() (t [256][]prefixRule) {
	for _, r := range prefixRules {
		t[r.prefix[0]] = append(t[r.prefix[0]], r)
	}
	return t
}()

// matchPrefix reports whether the word w is a credential by its prefix.
func matchPrefix(w string) bool {
	for _, r := range rulesByFirst[w[0]] {
		if len(w) < len(r.prefix)+r.min || w[:len(r.prefix)] != r.prefix {
			continue
		}
		if runEnd(w, len(r.prefix), r.rest) >= len(r.prefix)+r.min {
			return true
		}
	}
	return false
}

// idPrefixes start identifiers that are random by design but not secret:
// response, message, request and tool-call ids of the model APIs. The
// entropy check leaves a blob starting with one of them alone; the prefix
// rules and known values still apply.
var idPrefixes = []string{
	"chatcmpl-", "cmpl-", "resp_", "msg_", "req_", "toolu_", "srvtoolu_",
	"call_", "fc_", "rs_", "gen-", "batch_", "file-", "run_", "asst_",
	"thread_", "step_", "ft-", "embd-", "compl_", "msgbatch_",
}

func hasIDPrefix(w string) bool {
	for _, p := range idPrefixes {
		if len(w) > len(p) && w[:len(p)] == p {
			return true
		}
	}
	return false
}

// hashPrefixes label a hex digest that is recorded on purpose, such as the
// content hash of an instruction file ("CLAUDE.md sha256:<hex>").
var hashPrefixes = []string{"sha256:", "sha512:", "sha384:", "sha224:", "sha1:", "md5:"}

func hasHashPrefix(s string, i int) bool {
	for _, p := range hashPrefixes {
		if i >= len(p) && hasPrefixFold(s[i-len(p):i], p) {
			return true
		}
	}
	return false
}

// assignKeywords end the name of a key=value or key: value pair whose value
// is a secret ("api_key=...", "client_secret: ...", "password=...").
var assignKeywords = []string{
	"password", "passwd", "secret", "apikey", "api_key", "api-key",
	"access_key", "access-key", "token", "credential", "credentials",
}

// assignWords are whole names whose value is a secret.
var assignWords = []string{"key", "auth", "pwd", "pass", "authorization"}

func isAssignName(w string) bool {
	for _, k := range assignKeywords {
		if hasSuffixFold(w, k) {
			return true
		}
	}
	for _, k := range assignWords {
		if len(w) == len(k) && hasPrefixFold(w, k) {
			return true
		}
	}
	return false
}
