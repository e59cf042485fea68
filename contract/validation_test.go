package contract_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/agentwrap/agentwrap/contract"
)

// TestBuiltinValidation checks that the built-in manifest gives `agentwrap
// validate` what its sequence needs: a model and the unknown-model statuses
// for every endpoint whose requests name a model, placeholders that are
// JSON for listed optional fields only, and no field both read and known.
func TestBuiltinValidation(t *testing.T) {
	for _, e := range contract.Builtin().Endpoints {
		v := e.Validation
		if e.TakesModel() && (v.Model == "" || len(v.UnknownModel) == 0) {
			t.Errorf("%s: validation model %q, unknown_model %v: want both", e.ID, v.Model, v.UnknownModel)
		}
		if len(e.OptionalFields) > 0 && len(v.Placeholders) == 0 {
			t.Errorf("%s: optional fields without any placeholder", e.ID)
		}
		for _, p := range v.Placeholders {
			if !slices.Contains(e.OptionalFields, p.Field) || !json.Valid(p.JSON) {
				t.Errorf("%s: placeholder %s = %s", e.ID, p.Field, p.JSON)
			}
		}
		for _, k := range v.KnownResponseFields {
			if slices.Contains(e.ResponseFields, k) {
				t.Errorf("%s: %s both read and known", e.ID, k)
			}
		}
	}
}

// TestValidationDecoded reads a validation block back: file order, JSON
// values, aliases shared between endpoints.
func TestValidationDecoded(t *testing.T) {
	m, err := contract.Parse("v.yaml", []byte(`version: 1
base_url: https://api.cometapi.com
owner: o
endpoints:
  - id: a
    family: gemini.generate_content
    method: POST
    path: /v1beta/models/{model}:generateContent
    source_urls: [https://apidoc.cometapi.com/a]
    checked_at: 2026-11-01
    required_fields: [contents]
    optional_fields: [generationConfig, tools]
    error_shape: gemini
    non_retryable: [400, 404]
    validation: &v
      model: gemini-2.5-flash
      placeholders:
        tools: []
        generationConfig: {maxOutputTokens: 64}
      unknown_model: [404]
  - id: b
    family: gemini.generate_content
    method: POST
    path: /v1beta/models/{model}:streamGenerateContent
    source_urls: [https://apidoc.cometapi.com/a]
    checked_at: 2026-11-01
    required_fields: [contents]
    optional_fields: [generationConfig, tools]
    error_shape: gemini
    non_retryable: [400, 404]
    validation: *v
`))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range m.Endpoints {
		v := e.Validation
		if v.Model != "gemini-2.5-flash" || len(v.Placeholders) != 2 || !slices.Equal(v.UnknownModel, []int{404}) {
			t.Fatalf("%s: %+v", e.ID, v)
		}
		if p := v.Placeholders; p[0].Field != "tools" || string(p[0].JSON) != "[]" ||
			p[1].Field != "generationConfig" || string(p[1].JSON) != `{"maxOutputTokens":64}` {
			t.Errorf("%s: placeholders %s=%s %s=%s", e.ID, p[0].Field, p[0].JSON, p[1].Field, p[1].JSON)
		}
	}
}
