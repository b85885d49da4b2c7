//go:build cgo

package sethealth

import (
	"context"
	"errors"
	"fmt"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// mintConcurrently makes one GetTokenWithOptions call per element of
// options, each on its own goroutine, all released at once. It returns the
// responses and errors in the order of options.
func mintConcurrently(client *Client, options []GetTokenOptions) ([]GetTokenResponse, []error) {
	responses := make([]GetTokenResponse, len(options))
	failures := make([]error, len(options))
	start := make(chan struct{})
	var wait sync.WaitGroup
	for index, opts := range options {
		wait.Add(1)
		go func() {
			defer wait.Done()
			<-start
			responses[index], failures[index] = client.GetTokenWithOptions(opts)
		}()
	}
	close(start)
	wait.Wait()
	return responses, failures
}

// waitForRequests waits until the primary emulator has received at least
// count token requests since its last reset.
func waitForRequests(t *testing.T, count int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); requestsReceived(t) < count; {
		if time.Now().After(deadline) {
			t.Fatalf("the emulator received %d token requests within 10 s, want %d", requestsReceived(t), count)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestSingleFlightColdCacheOneRequest(t *testing.T) {
	client := newTestClient(t, testConfig())
	// The delay keeps the first request open while the other goroutines arrive.
	queueFault(t, `{"kind":"delay","ms":200}`)

	responses, failures := mintConcurrently(client, make([]GetTokenOptions, 100))
	for index, err := range failures {
		if err != nil {
			t.Fatalf("goroutine %d: %v", index, err)
		}
		if responses[index].Token != responses[0].Token {
			t.Errorf("goroutine %d got a different token from goroutine 0", index)
		}
	}
	if requests := requestsReceived(t); requests != 1 {
		t.Errorf("100 goroutines on a cold cache made %d requests, want 1", requests)
	}
}

func TestSingleFlightOneRequestPerUser(t *testing.T) {
	client := newTestClient(t, testConfig())
	queueFault(t, `{"kind":"delay","ms":200,"count":10}`)
	const callers, users = 100, 10
	options := make([]GetTokenOptions, callers)
	for index := range options {
		options[index].UserID = fmt.Sprintf("flight-user-%d", index%users)
	}

	responses, failures := mintConcurrently(client, options)
	for index, err := range failures {
		if err != nil {
			t.Fatalf("goroutine %d: %v", index, err)
		}
		if subject := claims(t, responses[index].Token)["sub"]; subject != options[index].UserID {
			t.Errorf("goroutine %d: sub claim %v, want %s", index, subject, options[index].UserID)
		}
	}
	if requests := requestsReceived(t); requests != users {
		t.Errorf("%d callers for %d user ids made %d requests, want %d", callers, users, requests, users)
	}
}

func TestSingleFlightCancelledWaiterLeavesOthers(t *testing.T) {
	client := newTestClient(t, testConfig())
	queueFault(t, `{"kind":"delay","ms":1000}`)

	// The caller that starts the shared request is the one that gives up.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cancelled := make(chan error, 1)
	go func() {
		_, err := client.GetTokenContext(ctx, GetTokenOptions{})
		cancelled <- err
	}()
	waitForRequests(t, 1)

	const others = 5
	var finished atomic.Int32
	results := make(chan GetTokenResponse, others)
	failures := make(chan error, others)
	for range others {
		go func() {
			response, err := client.GetToken()
			finished.Add(1)
			results <- response
			failures <- err
		}()
	}
	time.Sleep(100 * time.Millisecond)
	cancel()

	err := <-cancelled
	finishedFirst := finished.Load()
	if !errors.Is(err, context.Canceled) {
		t.Errorf("the cancelled call: %v, want context.Canceled", err)
	}
	// The shared request takes 1 s, so a prompt return comes before any other call finishes.
	if finishedFirst != 0 {
		t.Errorf("the cancelled call returned after %d of the other calls finished, want before", finishedFirst)
	}
	for range others {
		if err := <-failures; err != nil {
			t.Errorf("a caller still waiting: %v", err)
		}
		if response := <-results; response.Token == "" {
			t.Error("a caller still waiting got an empty token")
		}
	}
	if requests := requestsReceived(t); requests != 1 {
		t.Errorf("%d requests, want the 1 shared request", requests)
	}
}

func TestSingleFlightAbortedWhenAllCancel(t *testing.T) {
	client := newTestClient(t, testConfig())
	const delay = time.Second
	queueFault(t, fmt.Sprintf(`{"kind":"delay","ms":%d}`, delay.Milliseconds()))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const waiters = 3
	failures := make(chan error, waiters)
	for range waiters {
		go func() {
			_, err := client.GetTokenContext(ctx, GetTokenOptions{})
			failures <- err
		}()
	}
	waitForRequests(t, 1)
	started := time.Now()
	time.Sleep(100 * time.Millisecond)
	cancel()
	for range waiters {
		if err := <-failures; !errors.Is(err, context.Canceled) {
			t.Errorf("a cancelled waiter: %v, want context.Canceled", err)
		}
	}

	// Had the shared request gone on, its token would be cached after the delay.
	time.Sleep(delay - time.Since(started) + 300*time.Millisecond)
	if _, err := client.GetToken(); err != nil {
		t.Fatalf("GetToken after every waiter cancelled: %v", err)
	}
	if requests := requestsReceived(t); requests != 2 {
		t.Errorf("%d requests, want 2: the abandoned request aborted, then a new one", requests)
	}
}

func TestStalledServerDoesNotExhaustThreads(t *testing.T) {
	client := newTestClient(t, testConfig())
	queueFault(t, `{"kind":"stall","count":1000}`)
	before := pprof.Lookup("threadcreate").Count()

	// Twice the call limit, all waiting on one stalled request.
	callers := 2 * MaxConcurrentCalls
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	var wait sync.WaitGroup
	var cancelled atomic.Int64
	for range callers {
		wait.Add(1)
		go func() {
			defer wait.Done()
			_, err := client.GetTokenContext(ctx, GetTokenOptions{})
			if errors.Is(err, context.DeadlineExceeded) {
				cancelled.Add(1)
			}
		}()
	}
	wait.Wait()

	if got := cancelled.Load(); got != int64(callers) {
		t.Errorf("%d of %d callers ended with context.DeadlineExceeded", got, callers)
	}
	created := pprof.Lookup("threadcreate").Count() - before
	if created > MaxConcurrentCalls+64 {
		t.Errorf("%d OS threads were created for %d stalled callers, want at most about %d",
			created, callers, MaxConcurrentCalls)
	}
}
