package main

const (
	canaryKey    = "sk-canary-e2e-real-key-0123456789abcdef"
	canaryPrompt = "canary-prompt-7d1e0c"
)

// claudeEnv is what Claude Code needs to run hermetically: no updater, no
// telemetry, no traffic other than model calls.
var claudeEnv = []string{
	"DISABLE_AUTOUPDATER=1",
	"CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1",
	"DISABLE_TELEMETRY=1",
	"DISABLE_ERROR_REPORTING=1",
}
