// Package contract holds contract manifests: the documented endpoints a model
// call is checked against, the built-in CometAPI manifest, lint and check.
package contract
