package gateway

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

func TestConfigNeverPrintsCredentials(t *testing.T) {
	u, _ := url.Parse("https://user:pass@api.example.com/base?x=1")
	c := Config{Upstream: u, Key: canaryKey, Token: canaryToken}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		out := fmt.Sprintf(verb, c)
		if strings.Contains(out, canaryKey) || strings.Contains(out, canaryToken) || strings.Contains(out, "pass") {
			t.Errorf("%s printed %s", verb, out)
		}
	}
	if out := fmt.Sprintf("%+v", &c); strings.Contains(out, canaryKey) {
		t.Errorf("pointer printed %s", out)
	}
}

func TestGatewayNeverPrintsCredentials(t *testing.T) {
	u, _ := url.Parse("http://127.0.0.1:1")
	g, err := New(Config{Upstream: u, Key: canaryKey, Token: canaryToken})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close(t.Context())
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		if out := fmt.Sprintf(verb, g); strings.Contains(out, canaryKey) || strings.Contains(out, canaryToken) {
			t.Errorf("%s printed %s", verb, out)
		}
	}
}
