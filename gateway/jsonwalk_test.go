package gateway

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestWalkerAgreesWithEncodingJSONOnStructure(t *testing.T) {
	cases := []string{
		`{}`, ` { "a" : 1 , "b" : [ 1, 2, {"c": null} ] } `, `{"a":"x\"y\\"}`, `{"a":"\\\\"}`,
		`{"a":true,"b":false,"c":null,"d":-1.5e+3}`, `{"a":{}}`, `{"a":[]}`,
		`{`, `{"a"}`, `{"a":}`, `{"a":1,}`, `{"a":1 "b":2}`, `{"a":tru}`, `{"a":nul}`, `{"a":"x}`,
		`{"a":1}x`, `{"a":1}}`, `[1]`, `"x"`, `{"a":[1,]}`, `{"a":[1 2]}`, `{1:2}`, `{"a":"\\"}`,
	}
	for _, c := range cases {
		want := json.Valid([]byte(c)) && strings.HasPrefix(strings.TrimSpace(c), "{")
		if got := eachField([]byte(c), func(k, v []byte) bool { return true }); got != want {
			t.Errorf("eachField(%q) = %v, want %v", c, got, want)
		}
	}
}

func TestWalkerDepthBounded(t *testing.T) {
	deep := `{"a":` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + `}`
	if eachField([]byte(deep), func(k, v []byte) bool { return true }) {
		t.Fatal("overly deep document accepted")
	}
}

func TestJSONIntAndSetString(t *testing.T) {
	for in, want := range map[string]int64{"0": 0, "12": 12, "-3": -3} {
		if n, ok := jsonInt([]byte(in)); !ok || n != want {
			t.Errorf("jsonInt(%q) = %d, %v", in, n, ok)
		}
	}
	for _, bad := range []string{"", "-", "1.5", "1e3", "null", `"1"`, "1234567890123456789"} {
		if _, ok := jsonInt([]byte(bad)); ok {
			t.Errorf("jsonInt(%q) accepted", bad)
		}
	}
	s := ""
	setString(&s, []byte(`"a\u00e9\"b"`))
	if s != `aé"b` {
		t.Fatalf("escaped string decoded as %q", s)
	}
	setString(&s, []byte(`12`))
	if s != `aé"b` {
		t.Fatal("non-string overwrote value")
	}
}
