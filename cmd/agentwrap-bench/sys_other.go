//go:build !unix

package main

import (
	"errors"
	"time"
)

func cpuTime() time.Duration { return 0 }
func resetPeakRSS()          {}
func peakRSS() int64         { return 0 }
func currentRSS() int64      { return 0 }

// peer is target D, which needs a Unix process group to run and measure.
type peer struct{ url string }

// errNoNode is why D is skipped here: the run goes on without it and says
// so, as on a machine without Node.js.
var errNoNode = errors.New("target D (claude-code-router) runs on Unix only: it needs a process group to run and measure")

func startPeer(string) (*peer, error) { return nil, errNoNode }
func (*peer) cpuTime() time.Duration  { return 0 }
func (*peer) close()                  {}
