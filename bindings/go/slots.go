//go:build cgo

package sethealth

import "context"

// MaxConcurrentCalls is the maximum number of token calls that run in the
// library at once, across all clients of the process. Each running call
// blocks one OS thread in C, so without a limit a stalled server would make
// every waiting goroutine hold a thread until Go's thread limit (10,000 by
// default) ends the process. A call beyond the limit waits in Go, holding
// no thread, and its context still applies. Concurrent calls with equal
// options share one request anyway, so the limit rarely matters.
const MaxConcurrentCalls = 256

// callSlots holds one token per call running in the library.
var callSlots = make(chan struct{}, MaxConcurrentCalls)

// acquireSlot waits for a free call slot, or returns the cancellation error
// when ctx ends first. The caller releases the slot with releaseSlot.
func acquireSlot(ctx context.Context) error {
	select {
	case callSlots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return cancelledError(ctx)
	}
}

func releaseSlot() {
	<-callSlots
}
