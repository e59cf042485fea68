//go:build unix

// Command testchild is a stand-in agent for the wrap package's tests. Its
// flags make it exit with a code, sleep, trap or raise a signal, and print
// what it was given, so tests can check how agentwrap runs a child.
//
// Flags are applied in this order: -env, -args, -stdin, -flood (sends
// N requests without a credential to the path -flood-path of
// $ANTHROPIC_BASE_URL, 32 at a time, and prints "flooded N"), -call (prints
// "pid N" and "streaming" once the first event of a streamed model call
// arrived, then reads the stream slowly), -trap (prints "ready" once the
// handler is installed, then waits), -selfkill, -sleep (prints "ready"
// first), -exit.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

// signals maps the names accepted by -trap and -selfkill to signals.
func signals() map[string]syscall.Signal {
	return map[string]syscall.Signal{
		"SIGINT":  syscall.SIGINT,
		"SIGTERM": syscall.SIGTERM,
		"SIGHUP":  syscall.SIGHUP,
		"SIGQUIT": syscall.SIGQUIT,
		"SIGKILL": syscall.SIGKILL,
		"SIGUSR1": syscall.SIGUSR1,
	}
}

// options holds the parsed flags.
type options struct {
	exit     int
	sleep    time.Duration
	trap     string
	selfkill string
	env      string
	args     bool
	stdin    bool
	call     string
	callPath string
	flood    int
	path     string
}

func parse(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("testchild", flag.ContinueOnError)
	fs.IntVar(&o.exit, "exit", 0, "exit with this code")
	fs.DurationVar(&o.sleep, "sleep", 0, "print ready, then sleep this long")
	fs.StringVar(&o.trap, "trap", "", "print ready, wait for this signal, print \"got SIG\" and exit 40+signum")
	fs.StringVar(&o.selfkill, "selfkill", "", "kill itself with this signal")
	fs.StringVar(&o.env, "env", "", "print this variable's value or <unset>")
	fs.BoolVar(&o.args, "args", false, "print the remaining arguments, one per line")
	fs.BoolVar(&o.stdin, "stdin", false, "copy standard input to standard output")
	fs.StringVar(&o.call, "call", "", "make a streamed chat completions call to the base URL in this variable, with OPENAI_API_KEY")
	fs.StringVar(&o.callPath, "callpath", "", "send the -call request to this path on the base URL's host instead of BASE/chat/completions")
	fs.IntVar(&o.flood, "flood", 0, "send this many requests without a credential")
	fs.StringVar(&o.path, "flood-path", "/", "path of the -flood requests (POST)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if o.args {
		for _, a := range fs.Args() {
			fmt.Println(a)
		}
	}
	return o, nil
}

func main() {
	o, err := parse(os.Args[1:])
	if err != nil {
		os.Exit(2)
	}
	os.Exit(run(o))
}

func run(o options) int {
	if o.env != "" {
		if v, ok := os.LookupEnv(o.env); ok {
			fmt.Println(v)
		} else {
			fmt.Println("<unset>")
		}
	}
	if o.stdin {
		if _, err := io.Copy(os.Stdout, os.Stdin); err != nil {
			return 1
		}
	}
	if o.flood > 0 {
		n, err := flood(os.Getenv("ANTHROPIC_BASE_URL")+o.path, o.flood)
		if err != nil {
			fmt.Fprintln(os.Stderr, "flood failed:", err)
			return 1
		}
		fmt.Printf("flooded %d\n", n)
	}
	if o.call != "" {
		if err := call(os.Getenv(o.call), o.callPath, os.Getenv("OPENAI_API_KEY")); err != nil {
			fmt.Fprintln(os.Stderr, "call failed:", err)
			return 1
		}
	}
	if o.trap != "" {
		return trap(o.trap)
	}
	if o.selfkill != "" {
		return selfkill(o.selfkill)
	}
	if o.sleep > 0 {
		fmt.Println("ready")
		time.Sleep(o.sleep)
	}
	return o.exit
}

// trap waits for one signal and reports it.
func trap(name string) int {
	sig, ok := signals()[strings.ToUpper(name)]
	if !ok {
		fmt.Fprintf(os.Stderr, "unknown signal %s\n", name)
		return 2
	}
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, sig)
	fmt.Println("ready")
	got := (<-ch).(syscall.Signal)
	fmt.Printf("got %s\n", signalName(got))
	return 40 + int(got)
}

// selfkill sends name to this process with default handling.
func selfkill(name string) int {
	sig, ok := signals()[strings.ToUpper(name)]
	if !ok {
		fmt.Fprintf(os.Stderr, "unknown signal %s\n", name)
		return 2
	}
	signal.Reset(sig)
	if err := syscall.Kill(os.Getpid(), sig); err != nil {
		return 1
	}
	// Wait for delivery; a caught signal would fall through to exit 1.
	time.Sleep(time.Minute)
	return 1
}

func signalName(sig syscall.Signal) string {
	for name, s := range signals() {
		if s == sig {
			return name
		}
	}
	return sig.String()
}
