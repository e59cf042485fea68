package wrap

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/agentwrap/agentwrap/call"
	"github.com/agentwrap/agentwrap/contract"
	"github.com/agentwrap/agentwrap/gateway"
	"github.com/agentwrap/agentwrap/internal/peer"
	"github.com/agentwrap/agentwrap/redact"
	"github.com/agentwrap/agentwrap/spans"
	"github.com/agentwrap/agentwrap/spans/runfile"
)

// DefaultUpstream is the real gateway used when none is configured.
const DefaultUpstream = "https://api.cometapi.com"

// Defaults of the run file retention (Options.KeepRuns, Options.KeepDays).
const (
	DefaultKeepRuns = 200
	DefaultKeepDays = 30
)

// Options configures one wrapped run. Zero values are documented per field.
type Options struct {
	// Argv is the agent and its arguments. Required.
	Argv []string
	// Upstream is the real gateway's base URL; empty means DefaultUpstream.
	Upstream string
	// KeyEnv names the variable holding the real credential; empty means
	// COMETAPI_KEY. An unset or empty variable selects passthrough, unless
	// RequireKey is set.
	// COMETAPI_KEY.
	KeyEnv string
	// RequireKey makes an unset or empty KeyEnv a configuration error
	// instead of passthrough: the user named the variable (--key-env).
	RequireKey bool
	// KeyFile, when set, is a file holding the real credential instead of
	// KeyEnv; it must not be readable by group or others.
	KeyFile string
	// KeyCmd, when set, is a shell command whose standard output is the
	// real credential (a credential helper); its standard error goes to
	// Stderr, its standard output is never printed.
	KeyCmd string
	// RunID names the run; empty means a new sortable id.
	RunID string
	// StateDir holds runs/; empty means $XDG_STATE_HOME/agentwrap.
	StateDir string
	// Profile is the agent profile; empty means detected from Argv[0].
	Profile string
	// ProfilesFile is the user's profiles file; empty means
	// $AGENTWRAP_PROFILES, else the default in the XDG config directory
	// (see UserProfilesFile), which may be absent.
	ProfilesFile string
	// Note is the operator note for the run span (sanitized).
	Note string
	// Contract is the contract manifest file; empty means the built-in
	// CometAPI manifest.
	Contract string
	// EnforceContract makes the gateway reject requests that do not match
	// the contract instead of forwarding them.
	EnforceContract bool
	// KeepRuns is how many run files the runs directory keeps: older ones
	// are removed when a run starts. Zero means DefaultKeepRuns, negative
	// means no limit.
	KeepRuns int
	// KeepDays removes run files last written more than this many days ago
	// when a run starts. Zero means DefaultKeepDays, negative means no
	// limit. The current run's file is never removed.
	KeepDays int
	// FlushTimeout bounds telemetry export at exit; zero means 2s.
	FlushTimeout time.Duration
	// Quiet suppresses agentwrap's own summary line on Stderr.
	Quiet bool
	// Version is agentwrap's version, recorded as service.version.
	Version string

	// Environ is the environment the child's is built from; nil means
	// os.Environ(). Getenv reads configuration; nil means a lookup in
	// Environ.
	Environ []string
	Getenv  func(string) string
	// Dir is the child's working directory; empty means the current one.
	Dir string
	// Stdin, Stdout and Stderr are the child's; nil means the terminal.
	// Stderr also receives agentwrap's own messages.
	Stdin          io.Reader
	Stdout, Stderr io.Writer
}

// ExitError is returned when the run could not start: Code is the exit
// status to use (2 for a configuration error, 127 for an agent that was
// not found, 126 for one that is not executable, 1 otherwise).
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string { return e.Err.Error() }
func (e *ExitError) Unwrap() error { return e.Err }

// Run wraps one agent run: it starts the gateway and telemetry, runs the
// agent with the terminal, relays signals, and returns the agent's exit
// status. Telemetry failures are reported on Stderr and never change it.
func Run(ctx context.Context, o Options) (int, error) {
	o = withDefaults(o)
	// An agent that cannot be run is reported like a shell does (127 not
	// found, 126 not executable) before anything else: no run file, no
	// summary line.
	if len(o.Argv) > 0 && o.Argv[0] != "" {
		if _, err := lookAgent(o.Argv[0]); err != nil {
			return startFailure(err)
		}
	}
	setup, err := prepare(ctx, o)
	if err != nil {
		return 1, err
	}
	code, runErr := setup.run(ctx, o)
	setup.finish(o, code, runErr)
	if runErr != nil {
		return code, runErr
	}
	return code, nil
}

func withDefaults(o Options) Options {
	if o.Environ == nil {
		o.Environ = os.Environ()
	}
	if o.Getenv == nil {
		env := o.Environ
		o.Getenv = func(k string) string { return lookupEnv(env, k) }
	}
	if o.Upstream == "" {
		o.Upstream = DefaultUpstream
	}
	if o.KeyEnv == "" {
		o.KeyEnv = DefaultKeyEnv
	}
	if o.FlushTimeout <= 0 {
		o.FlushTimeout = 2 * time.Second
	}
	if o.KeepRuns == 0 {
		o.KeepRuns = DefaultKeepRuns
	}
	if o.KeepDays == 0 {
		o.KeepDays = DefaultKeepDays
	}
	if o.Stderr == nil {
		o.Stderr = os.Stderr
	}
	return o
}

// lookupEnv returns the last value of k in env.
func lookupEnv(env []string, k string) string {
	v := ""
	for _, kv := range env {
		if name, val, ok := strings.Cut(kv, "="); ok && name == k {
			v = val
		}
	}
	return v
}

// parseUpstream checks an upstream base URL: http(s), a host, no
// credentials, query or fragment.
func parseUpstream(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("upstream %q is not an http(s) base URL like %s", redactURL(s), DefaultUpstream)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("upstream URL must not carry credentials, a query or a fragment")
	}
	u.Path = strings.TrimRight(u.Path, "/")
	return u, nil
}

// redactURL keeps scheme and host of a URL for messages.
func redactURL(s string) string {
	if u, err := url.Parse(s); err == nil && u.Host != "" {
		return u.Scheme + "://" + u.Host
	}
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// session is one run's machinery.
type session struct {
	runID    string
	profile  Profile
	upstream *url.URL
	key      redact.Secret
	token    string
	scanner  *redact.Scanner
	runFile  *runfile.Exporter
	provider *spans.Provider
	tracer   trace.Tracer
	runCtx   context.Context
	runSpan  trace.Span
	recorder *spans.Recorder
	metrics  *spans.Metrics
	manifest *contract.Manifest
	// learned holds the credentials learnCredential gave the scanner.
	learnMu sync.Mutex
	learned map[string]bool
	// files is the run's private directory for profile files.
	files string
	notes []string
	// flushBy is the deadline of the work after the agent ended.
	flushBy time.Time
	// otelErrors is the SDK's error count when the run started.
	otelErrors int64
	// result, when set, is the run's result class instead of the calls'
	// roll-up (a smoke run reports its verdict: its error-path call fails
	// on purpose).
	result string
}

func prepare(ctx context.Context, o Options) (*session, error) {
	if len(o.Argv) == 0 || o.Argv[0] == "" {
		return nil, errors.New("no agent given: usage: agentwrap [flags] -- AGENT [ARGS...]")
	}
	s := &session{runID: o.RunID}
	var err error
	if s.upstream, err = parseUpstream(o.Upstream); err != nil {
		return nil, usageError(err)
	}
	set, err := LoadProfiles(o.ProfilesFile, o.Getenv)
	if err != nil {
		return nil, err
	}
	if o.Profile == "" {
		s.profile = set.Detect(o.Argv[0])
	} else if s.profile, err = set.Lookup(o.Profile); err != nil {
		return nil, usageError(err)
	}
	if s.runID == "" {
		s.runID = newRunID(time.Now())
	}
	if err := validRunID(s.runID); err != nil {
		return nil, usageError(err)
	}
	if s.manifest, err = loadManifest(o.Contract); err != nil {
		return nil, err
	}
	if s.key, err = readKey(ctx, o); err != nil {
		return nil, err
	}
	state, err := StateDir(o.StateDir, o.Getenv)
	if err != nil {
		return nil, err
	}
	if s.runFile, err = runfile.Create(RunsDir(state), s.runID); err != nil {
		return nil, fmt.Errorf("%w (choose another directory with --state-dir or AGENTWRAP_STATE_DIR)", err)
	}
	pruneRuns(o, RunsDir(state), s.runFile.Path())
	if s.key.Reveal() != "" {
		s.token = newToken()
	}
	s.otelErrors = otelErrors.Load()
	s.scanner = redact.NewScanner(s.key.Reveal(), s.token)
	guard := redact.NewGuard(allowedKeys(), s.scanner)
	mguard := redact.NewGuard(spans.MetricSchemaNames(), s.scanner)
	s.provider, err = spans.NewProvider(ctx, spans.ProviderOptions{
		RunFile: s.runFile, Getenv: o.Getenv, Version: o.Version,
		Guard:       func(e sdktrace.SpanExporter) sdktrace.SpanExporter { return redact.WrapExporter(e, guard) },
		MetricGuard: func(e sdkmetric.Exporter) sdkmetric.Exporter { return redact.WrapMetricExporter(e, mguard) },
	})
	if err != nil {
		_ = s.runFile.Shutdown(ctx)
		return nil, err
	}
	s.tracer = s.provider.RunTracer()
	if s.metrics, err = s.provider.Metrics(filepath.Base(o.Argv[0])); err != nil {
		_ = s.provider.Shutdown(ctx)
		return nil, err
	}
	return s, nil
}

// pruneRuns removes old run files, keeping the current run's; a failure is
// reported on one line and never stops the run.
func pruneRuns(o Options, dir, current string) {
	maxAge := time.Duration(o.KeepDays) * 24 * time.Hour
	if _, err := runfile.Prune(dir, maxAge, o.KeepRuns, current); err != nil {
		msg := strings.ReplaceAll(err.Error(), "\n", "; ")
		fmt.Fprintf(o.Stderr, "agentwrap: %s\n", msg)
	}
}

// allowedKeys is the exporter allowlist: the span schema.
func allowedKeys() []string { return spans.SchemaNames() }

// loadManifest reads the contract manifest, or returns the built-in one. A
// manifest that cannot be read or is not valid is a usage error (exit 2),
// like any other bad argument: nothing ran.
func loadManifest(path string) (*contract.Manifest, error) {
	if path == "" {
		return contract.Builtin(), nil
	}
	m, err := contract.Load(path)
	if err != nil {
		return nil, usageError(err)
	}
	return m, nil
}

// manifestName names a manifest for the run span: the built-in one by its
// "builtin:" name, a file by its base name, so that no directory (which may
// hold a user name) is recorded.
func manifestName(m *contract.Manifest) string {
	if strings.HasPrefix(m.File, "builtin:") {
		return m.File
	}
	return filepath.Base(m.File)
}

func (s *session) run(ctx context.Context, o Options) (int, error) {
	s.startRun(ctx, o, filepath.Base(o.Argv[0]))
	gw, err := s.startGateway(o, s.recorder.Observe)
	if err != nil {
		return 1, err
	}
	defer s.closeGateway(gw, o)
	removeStaleOverlays(os.TempDir())
	if s.files, err = makeOverlayDir(); err != nil {
		return 1, err
	}
	argv, env, err := s.profile.Apply(o.Argv, o.Environ, Gateway{
		BaseURL: gw.URL(), Token: s.token, RunID: s.runID,
		TraceParent: traceparent(s.runCtx), KeyEnv: o.KeyEnv, FilesDir: s.files,
	})
	if err != nil {
		return 1, &ExitError{Code: 1, Err: fmt.Errorf("cannot prepare the %s profile: %w", s.profile.Name, err)}
	}
	env = WithoutKey(env, s.key.Reveal())
	child, err := startChild(childSpec{Argv: argv, Env: env, Dir: o.Dir, Stdin: o.Stdin, Stdout: o.Stdout, Stderr: o.Stderr})
	if err != nil {
		return startFailure(err)
	}
	code, err := child.Wait()
	if n := endLeftovers(s.runID, time.Second); n > 0 {
		s.notes = append(s.notes, fmt.Sprintf("ended %d process(es) the agent left running", n))
	}
	if note := exitNotes[s.profile.Name][code]; note != "" {
		s.notes = append(s.notes, note)
		if !o.Quiet {
			fmt.Fprintf(o.Stderr, "agentwrap: %s\n", note)
		}
	}
	return code, err
}

// usageError marks err as a mistake on the command line: exit status 2.
func usageError(err error) error { return &ExitError{Code: 2, Err: err} }

// startFailure is the status and error of an agent that could not be
// started: 127 when it was not found, 126 when it is not executable, as a
// shell reports them; 1 otherwise.
func startFailure(err error) (int, error) {
	code := 1
	switch {
	case errors.Is(err, errAgentNotFound):
		code = 127
	case errors.Is(err, fs.ErrPermission), errors.Is(err, syscall.EACCES):
		code = 126
	}
	return code, &ExitError{Code: code, Err: err}
}

// exitNotes explain, by profile, exit statuses of an agent that a user
// would otherwise have to look up (README, "Agents").
var exitNotes = map[string]map[int]string{
	"gemini": {55: "Gemini CLI exited 55: it does not run in a folder you have not trusted; trust the folder in Gemini CLI or pass --skip-trust to gemini"},
}

// startRun opens the run span for agent and its call recorder, and records
// the preflight of instruction files.
func (s *session) startRun(ctx context.Context, o Options, agent string) {
	s.runCtx, s.runSpan = s.tracer.Start(ctx, "invoke_agent "+agent,
		trace.WithSpanKind(trace.SpanKindInternal),
		trace.WithAttributes(
			spans.RunID.String(s.runID), spans.GenAIAgentName.String(agent),
			spans.GenAIOperationName.String("invoke_agent"),
			spans.Profile.String(s.profile.Name),
			spans.Upstream.String(s.upstream.Scheme+"://"+s.upstream.Host),
			spans.ContractManifest.String(manifestName(s.manifest))))
	s.recorder = spans.NewRecorder(s.tracer, s.runCtx, s.runID, s.scanner.Note)
	s.recorder.Scrub = s.scanner.ScrubText
	s.recorder.Use(s.provider.Conventions, s.metrics, agent)
	s.preflight(o)
}

// startGateway starts the loopback gateway of the run; observe receives
// every call.
func (s *session) startGateway(o Options, observe func(*call.Call)) (*gateway.Gateway, error) {
	cfg := s.gatewayConfig(o, s.key.Reveal(), s.token, observe)
	cfg.Enforce = o.EnforceContract
	// The agent boots while the connection for its first call opens.
	cfg.Prewarm = gateway.DefaultPrewarm
	cfg.Peer = treePeer()
	return gateway.New(cfg)
}

// gatewayConfig is the gateway of the run with key and token as given:
// empty ones make the passthrough gateway.
func (s *session) gatewayConfig(o Options, key, token string, observe func(*call.Call)) gateway.Config {
	return gateway.Config{
		Upstream: s.upstream, Key: key, Token: token,
		Observe: observe,
		// The run file gets the spans of each batch of calls in one write.
		ObserveDone: s.provider.FlushRunFile,
		Local:       s.recorder.Local,
		Label:       func(v string) string { return redact.Label(redact.NewSecret(v)) },
		Presented:   s.learnCredential,
		Contract:    gatewayChecker(s.manifest),
		Routes:      gatewayRoutes(s.manifest),
		Warn:        func(line string) { fmt.Fprintf(o.Stderr, "agentwrap: %s\n", line) },
	}
}

// Bounds of the credentials a passthrough run teaches its scanner: shorter
// ones would mask ordinary words, and a caller sending ever new ones must
// not grow it without end.
const (
	minLearned = 8
	maxLearned = 32
)

// learnCredential registers a credential the agent presented (passthrough)
// with the run's scanner, so that an upstream that echoes it (in an error,
// in a response id) never gets it into a span (README "Security").
func (s *session) learnCredential(cred string) {
	if len(cred) < minLearned || s.scanner == nil {
		return
	}
	s.learnMu.Lock()
	defer s.learnMu.Unlock()
	if s.learned[cred] || len(s.learned) >= maxLearned {
		return
	}
	if s.learned == nil {
		s.learned = map[string]bool{}
	}
	s.learned[cred] = true
	s.scanner.Add(cred)
}

// treePeer admits connections from agentwrap and its descendants (the
// agent and everything it starts) and, where the owner of a connection
// cannot be looked up, leaves the decision to the token (README
// "Security").
func treePeer() func(local, remote net.Addr) bool {
	tree := peer.NewTree(os.Getpid())
	return func(local, remote net.Addr) bool { return tree.Check(local, remote) != peer.Outside }
}

// closeGateway lets calls in flight end within the flush timeout and waits
// for their spans.
func (s *session) closeGateway(gw *gateway.Gateway, o Options) {
	ctx, cancel := s.flushContext(o)
	defer cancel()
	_ = gw.Close(ctx)
}

// flushContext bounds everything agentwrap does after the agent ended
// (closing the gateway, exporting spans) by one flush timeout in total: the
// deadline is set by the first call.
func (s *session) flushContext(o Options) (context.Context, context.CancelFunc) {
	if s.flushBy.IsZero() {
		s.flushBy = time.Now().Add(o.FlushTimeout)
	}
	return context.WithDeadline(context.Background(), s.flushBy)
}

// traceparent is the W3C traceparent of the span in ctx.
func traceparent(ctx context.Context) string {
	c := propagation.MapCarrier{}
	propagation.TraceContext{}.Inject(ctx, c)
	return c["traceparent"]
}

// preflight records the instruction and memory files on the run span.
func (s *session) preflight(o Options) {
	dir := o.Dir
	if dir == "" {
		dir, _ = os.Getwd()
	}
	files, notes, err := scanPreflight(dir, s.upstream.Hostname())
	if err != nil {
		s.notes = append(s.notes, "instruction file check incomplete")
	}
	s.notes = append(s.notes, notes...)
	if len(files) == 0 {
		return
	}
	list := make([]string, len(files))
	for i, f := range files {
		list[i] = relPath(dir, f.Path) + " sha256:" + f.SHA256
	}
	s.runSpan.SetAttributes(spans.InstructionFiles.StringSlice(list))
}

// finish ends the run span, flushes telemetry within the flush timeout and
// prints the summary line.
func (s *session) finish(o Options, code int, runErr error) {
	sum := s.recorder.Summary()
	if s.result != "" {
		sum.Result = s.result
	}
	notes := s.notes
	if o.Note != "" {
		notes = append([]string{o.Note}, notes...)
	}
	if runErr != nil {
		notes = append(notes, "agent did not start")
	}
	if lo := sum.Local.Outcome(); lo.Note != "" {
		notes = append(notes, lo.Note)
		if s.result == "" {
			sum.Result = spans.Worse(sum.Result, lo.Result)
		}
	}
	if sum.Calls == 0 {
		// Nothing shows the agent's calls went through the gateway: a
		// teammate should look (the report says the same).
		notes = append(notes, "no model calls")
		if s.result == "" {
			sum.Result = spans.ResultNeedsFollowUp
		}
	}
	notes = append(notes, sum.Notes...)
	s.runSpan.SetAttributes(sum.Local.Attributes()...)
	s.runSpan.SetAttributes(
		spans.ProcessExitCode.Int(code), spans.Calls.Int(sum.Calls),
		spans.ResultClass.String(sum.Result),
		spans.Notes.String(s.scanner.Note(strings.Join(notes, "; "))))
	s.runSpan.SetAttributes(spans.RunAttributes(sum, s.provider.Conventions)...)
	if et, desc := runError(code, runErr, sum.Result); et != "" {
		s.runSpan.SetAttributes(spans.ErrorType.String(et))
		s.runSpan.SetStatus(codes.Error, desc)
	}
	s.runSpan.End()

	if s.files != "" {
		_ = os.RemoveAll(s.files)
	}
	ctx, cancel := s.flushContext(o)
	defer cancel()
	if err := s.provider.Shutdown(ctx); err != nil {
		fmt.Fprintf(o.Stderr, "agentwrap: telemetry export incomplete after %s (%s); the run file holds every span\n",
			o.FlushTimeout, exportErrorClass(err))
	} else if n := otelErrors.Load() - s.otelErrors; n > 0 {
		fmt.Fprintf(o.Stderr, "agentwrap: %d telemetry export error(s) during the run (collector unreachable or refusing); the run file holds every span\n", n)
	}
	if !o.Quiet {
		refused := ""
		if n := sum.Local.Rejected; n > 0 {
			refused = fmt.Sprintf(", %d request(s) refused", n)
		}
		fmt.Fprintf(o.Stderr, "agentwrap: run %s: %d model call(s), %s%s; run file %s\n",
			s.runID, sum.Calls, sum.Result, refused, s.runFile.Path())
	}
}

// runError is the error.type and status description of a run that did not
// succeed: the agent did not start, exited non-zero, or a call failed
// (README, "Metrics and the conventions version"); "" for a run that succeeded.
func runError(code int, runErr error, result string) (errorType, desc string) {
	switch {
	case runErr != nil:
		return "agent_not_started", "agent did not start"
	case code != 0:
		return "agent_exit_nonzero", fmt.Sprintf("agent exited with status %d", code)
	case result == spans.ResultFail:
		return "call_failed", "a model call failed"
	}
	return "", ""
}

// exportErrorClass describes an export failure without quoting it: exporter
// errors can carry endpoint URLs with credentials.
func exportErrorClass(err error) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return "collector did not answer in time"
	}
	return "collector unreachable or refused the spans"
}

// relPath shows p relative to dir (e.g. ../CLAUDE.md) so that recorded
// paths carry no home directory or user name.
func relPath(dir, p string) string {
	if !filepath.IsAbs(p) {
		return p
	}
	if r, err := filepath.Rel(dir, p); err == nil {
		return r
	}
	return filepath.Base(p)
}

// String names the session without the key or token it holds.
func (s *session) String() string { return "session " + s.runID }

// GoString is String, for %#v.
func (s *session) GoString() string { return s.String() }
