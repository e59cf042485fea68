package main

const (
	canaryKey    = "sk-canary-e2e-real-key-0123456789abcdef"
	canaryPrompt = "canary-prompt-7d1e0c"
)

// claudeOffline is all the real-agent tests change in Claude Code's
// default environment, because no test may reach the internet: the updater
// would install a newer Claude Code from the npm registry, telemetry and
// error reports go to Anthropic's hosts. None of them talks to the
// gateway. CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC is deliberately not
// set: it also stops the credential-less HEAD /api/hello that Claude Code
// sends to the gateway in every default run.
var claudeOffline = []string{
	"DISABLE_AUTOUPDATER=1",
	"DISABLE_TELEMETRY=1",
	"DISABLE_ERROR_REPORTING=1",
}
