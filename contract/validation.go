package contract

import (
	"encoding/json"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Validation is what `agentwrap validate` needs of an endpoint beyond its
// documented contract (YAML `validation`, optional): the model the
// requests name, a neutral placeholder value for each relied-on optional
// field, the documented response fields the team does not read, and the
// statuses that mean "unknown model".
type Validation struct {
	// Model is the model the validation requests name (YAML `model`);
	// empty means the endpoint's requests name none (or the manifest does
	// not say which).
	Model string
	// Placeholders are neutral values for optional fields, in file order
	// (YAML `placeholders`, a mapping of field to any JSON-compatible
	// value). Each key is one of OptionalFields. The production-shaped
	// request adds them to the minimal one; optional fields without a
	// placeholder are not sent.
	Placeholders []Placeholder
	// KnownResponseFields are documented top-level response fields the team
	// does not read (YAML `known_response_fields`): neither missing nor
	// "observed only". A field in neither this list nor ResponseFields is
	// reported as observed only.
	KnownResponseFields []string
	// UnknownModel are the documented statuses that mean the model is
	// unknown or unavailable (YAML `unknown_model`).
	UnknownModel []int
}

// Placeholder is one optional field's neutral value.
type Placeholder struct {
	Field string
	// JSON is the value as JSON text.
	JSON json.RawMessage
}

// TakesModel reports whether the endpoint's requests name a model: in the
// body (a required model field) or in the path ({model}).
func (e *Endpoint) TakesModel() bool {
	return contains(e.RequiredFields, "model") || strings.Contains(e.Path, "{model}")
}

// maxPlaceholder bounds one placeholder's JSON text.
const maxPlaceholder = 2048

var modelRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]*$`)

// validation decodes the optional validation block of an endpoint. It runs
// after the fields and statuses it is checked against were decoded.
func (d *decoder) validation(ep *Endpoint, f map[string]entry) {
	e, ok := f["validation"]
	if !ok {
		return
	}
	vf := d.mapping(e.val, "validation", "model", "placeholders", "known_response_fields", "unknown_model")
	if vf == nil {
		return
	}
	v := &ep.Validation
	var mn *yaml.Node
	v.Model, mn = d.str(vf, "model")
	switch {
	case mn != nil && v.Model == "":
		d.errorf(mn, "validation.model is empty")
	case v.Model != "" && !modelRE.MatchString(v.Model):
		d.errorf(mn, "validation.model %q must be letters, digits, '.', '_', '@' or '-'", clip(v.Model))
	case v.Model != "" && !ep.TakesModel():
		d.errorf(mn, "validation.model set, but the endpoint's requests name no model (no required model field, no {model} in the path)")
	}
	d.placeholders(ep, vf)
	known, nodes := d.nameNodes(vf, "known_response_fields")
	for i, k := range known {
		if contains(ep.ResponseFields, k) {
			d.errorf(nodes[i], "known_response_fields lists %q, which response_fields lists already", clip(k))
			continue
		}
		v.KnownResponseFields = append(v.KnownResponseFields, k)
	}
	v.UnknownModel = d.codes(vf, "unknown_model")
	for _, c := range v.UnknownModel {
		if !containsInt(ep.Retryable, c) && !containsInt(ep.NonRetryable, c) {
			d.errorf(vf["unknown_model"].key, "unknown_model status %d is neither retryable nor non_retryable", c)
		}
	}
	if len(v.UnknownModel) > 0 && !ep.TakesModel() {
		d.errorf(vf["unknown_model"].key, "unknown_model set, but the endpoint's requests name no model")
	}
}

// placeholders decodes validation.placeholders: field -> JSON value.
func (d *decoder) placeholders(ep *Endpoint, vf map[string]entry) {
	e, ok := vf["placeholders"]
	if !ok {
		return
	}
	n := resolve(e.val)
	if n == nil || n.Kind != yaml.MappingNode {
		d.errorf(e.val, "validation.placeholders must be a mapping of optional field to value")
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		field := k.Value
		switch {
		case k.Kind != yaml.ScalarNode || k.Value == "<<":
			d.errorf(k, "validation.placeholders keys must be field names")
			continue
		case seen[field]:
			d.errorf(k, "validation.placeholders lists %q twice", clip(field))
			continue
		case contains(ep.RequiredFields, field):
			d.errorf(k, "placeholder for %q, a required field (the minimal request sends it)", clip(field))
			continue
		case !contains(ep.OptionalFields, field):
			d.errorf(k, "placeholder for %q, which optional_fields does not list", clip(field))
			continue
		}
		seen[field] = true
		var x any
		if err := val.Decode(&x); err != nil {
			d.errorf(val, "placeholder for %q is not a plain value: %v", clip(field), err)
			continue
		}
		b, err := json.Marshal(x)
		switch {
		case err != nil:
			d.errorf(val, "placeholder for %q cannot be written as JSON (mapping keys must be strings)", clip(field))
			continue
		case len(b) > maxPlaceholder:
			d.errorf(val, "placeholder for %q is too long (%d bytes of JSON, limit %d)", clip(field), len(b), maxPlaceholder)
			continue
		}
		ep.Validation.Placeholders = append(ep.Validation.Placeholders, Placeholder{Field: field, JSON: b})
	}
}
