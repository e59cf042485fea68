package wrap

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// endLeftovers ends the processes still running that carry this run's id
// in their environment (AGENTWRAP_RUN_ID, set for the agent and inherited
// by everything it starts): helper daemons that an agent starts in a
// session of their own, such as Cline's hub daemon, which no signal to the
// agent's process group reaches and which would keep the run token after
// the run. Each gets SIGTERM, and SIGKILL if it is still there after
// grace. It returns how many it found.
func endLeftovers(runID string, grace time.Duration) int {
	if runID == "" {
		return 0
	}
	pids := runProcesses(runID)
	found := len(pids)
	for _, pid := range pids {
		_ = syscall.Kill(pid, syscall.SIGTERM)
	}
	deadline := time.Now().Add(grace)
	for len(pids) > 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		pids = alive(pids)
	}
	for _, pid := range pids {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	return found
}

// runProcesses lists the processes, other than this one, whose
// environment holds AGENTWRAP_RUN_ID=runID and which started after this
// one (an older process with the same id belongs to another run).
func runProcesses(runID string) []int {
	want := []byte("AGENTWRAP_RUN_ID=" + runID + "\x00")
	self := os.Getpid()
	since, ok := startTime("self")
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	var out []int
	for _, d := range dirs {
		pid, err := strconv.Atoi(filepath.Base(d))
		if err != nil || pid == self {
			continue
		}
		env, err := os.ReadFile(filepath.Join(d, "environ"))
		if err != nil {
			continue
		}
		if !bytes.HasPrefix(env, want) && !bytes.Contains(env, append([]byte{0}, want...)) {
			continue
		}
		if t, tok := startTime(strconv.Itoa(pid)); ok && tok && t < since {
			continue
		}
		out = append(out, pid)
	}
	return out
}

// alive returns the pids that still exist and are not zombies.
func alive(pids []int) []int {
	var out []int
	for _, pid := range pids {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			continue
		}
		// The state follows the command name in parentheses.
		if i := bytes.LastIndexByte(b, ')'); i >= 0 && i+2 < len(b) && b[i+2] == 'Z' {
			continue
		}
		out = append(out, pid)
	}
	return out
}

// startTime returns a process's start time in clock ticks after boot
// (field 22 of /proc/PID/stat).
func startTime(pid string) (uint64, bool) {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0, false
	}
	// Fields after the command name, which is in parentheses: state is
	// field 3, starttime field 22.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 20 {
		return 0, false
	}
	t, err := strconv.ParseUint(f[19], 10, 64)
	return t, err == nil
}

// childAttr makes the kernel send the agent SIGTERM when agentwrap dies,
// even by SIGKILL, so that it never outlives agentwrap holding a dead
// gateway's URL. (The signal follows the thread that started the child;
// Go's runtime does not end threads of goroutines that are not locked to
// one.)
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
