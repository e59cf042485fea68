//go:build !linux

package wrap

import (
	"syscall"
	"time"
)

// endLeftovers is a no-op outside Linux: helper processes of the agent that
// left its process group are not found (README, "Agents").
func endLeftovers(string, time.Duration) int { return 0 }

// childAttr sets nothing outside Linux, which has no parent-death signal.
func childAttr() *syscall.SysProcAttr { return nil }
