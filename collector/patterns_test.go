package collector_test

import (
	"crypto/rand"
	"encoding/hex"
	"regexp"
	"strings"
	"testing"

	"github.com/agentwrap/agentwrap/collector"
)

// mask applies the blocked patterns the way the redaction processor does:
// each matching pattern in turn replaces its matches with ****.
func mask(t *testing.T, v string) string {
	t.Helper()
	for _, p := range collector.BlockedValues() {
		re, err := regexp.Compile(p.Regexp)
		if err != nil {
			t.Fatalf("pattern %q (%s) does not compile: %v", p.Regexp, p.Name, err)
		}
		if re.MatchString(v) {
			v = re.ReplaceAllString(v, "****")
		}
	}
	return v
}

// randomAlnum returns n random characters from alphabet.
func randomAlnum(t *testing.T, n int, alphabet string) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

const (
	upperDigits = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	alnum       = "abcdefghijklmnopqrstuvwxyz" + upperDigits
)

// credential is one planted secret in one of the formats the collector
// masks; Secret is the part that must not survive.
type credential struct {
	Format string
	Value  string
	Secret string
}

// credentials returns one fresh canary per credential format.
func credentials(t *testing.T) []credential {
	t.Helper()
	id := hex.EncodeToString([]byte(randomAlnum(t, 8, alnum)))
	sk := "sk-canary-collector-" + id
	jwt := "eyJhbGciOiJIUzI1NiJ9.eyJjYW5hcnkiOiI" + id + "In0.c2lnbmF0dXJl" + id
	pem := "-----BEGIN PRIVATE KEY-----\nMIIcanary" + id + "\n-----END PRIVATE KEY-----"
	gh := "ghp_canary" + randomAlnum(t, 30, alnum)
	return []credential{
		{"OpenAI/CometAPI key", "upstream echoed " + sk, sk},
		{"Anthropic key", "key sk-ant-api03-canary" + id, "sk-ant-api03-canary" + id},
		{"Google API key", "AIzaCanary" + randomAlnum(t, 29, alnum), "AIzaCanary"},
		{"AWS access key id", "id AKIACANARY" + randomAlnum(t, 10, upperDigits) + " used", "AKIACANARY"},
		{"GitHub token", "token " + gh, gh},
		{"fine-grained GitHub token", "github_pat_canary" + id, "github_pat_canary" + id},
		{"JWT", "jwt " + jwt, jwt},
		{"Bearer token", "Authorization: Bearer canary-bearer-" + id, "canary-bearer-" + id},
		{"PEM private key", "key:\n" + pem + "\nend", "MIIcanary" + id},
		{"URL with password", "https://alice:canary-pw-" + id + "@proxy.example.com/v1", "canary-pw-" + id},
	}
}

func TestBlockedValuesMaskCredentials(t *testing.T) {
	for _, c := range credentials(t) {
		got := mask(t, c.Value)
		if strings.Contains(got, c.Secret) || !strings.Contains(got, "****") {
			t.Errorf("%s: %q masked to %q, still holds %q", c.Format, c.Value, got, c.Secret)
		}
	}
}

func TestBlockedValuesKeepSchemaValues(t *testing.T) {
	for _, v := range []string{
		"claude-sonnet-4-5", "gpt-4.1-mini", "gemini-2.5-pro", "task-runner-0123456789abcdef",
		"chatcmpl-AbCdEf0123456789abcdef", "msg_01XyZ0123456789abcdefgh", "resp_0123456789abcdef0123",
		"/v1/messages", "/v1beta/models/gemini-2.5-pro:streamGenerateContent",
		"missing required field: max_tokens", "upstream 429, retry-after present",
		"https://api.cometapi.com", "https://docs.cometapi.com/api/messages",
		"CLAUDE.md sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		"claude-cli/2.0.14 (external, cli)", "anthropic.messages", "a1b2",
	} {
		if got := mask(t, v); got != v {
			t.Errorf("benign value %q masked to %q", v, got)
		}
	}
}

func TestBlockedValuesAreNamed(t *testing.T) {
	for _, p := range collector.BlockedValues() {
		if p.Name == "" || p.Regexp == "" {
			t.Errorf("pattern %+v lacks a name or an expression", p)
		}
	}
}
