//go:build cgo

package sethealth

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"
)

func TestConcurrentGoroutinesShareClient(t *testing.T) {
	client := newTestClient(t, testConfig())
	reset(t)
	const goroutines, users = 200, 20

	var wait sync.WaitGroup
	failures := make(chan error, goroutines)
	for index := range goroutines {
		wait.Add(1)
		go func() {
			defer wait.Done()
			user := fmt.Sprintf("user-%d", index%users)
			response, err := client.GetTokenWithOptions(GetTokenOptions{UserID: user})
			if err != nil {
				failures <- fmt.Errorf("goroutine %d: %w", index, err)
				return
			}
			if subject := claims(t, response.Token)["sub"]; subject != user {
				failures <- fmt.Errorf("goroutine %d: sub claim %v, want %s", index, subject, user)
			}
		}()
	}
	wait.Wait()
	close(failures)
	for err := range failures {
		t.Error(err)
	}

	// The cache and single-flight let the 200 calls share one token per user.
	if issued := tokensIssued(t); issued != users {
		t.Errorf("%d tokens issued for %d users", issued, users)
	}
}

func TestConcurrentCloseWaitsForCalls(t *testing.T) {
	client, err := NewWithConfig(testConfig())
	if err != nil {
		t.Fatal(err)
	}
	queueFault(t, `{"kind":"delay","ms":300}`)

	result := make(chan error, 1)
	go func() {
		_, err := client.GetTokenWithOptions(GetTokenOptions{Fresh: true})
		result <- err
	}()
	time.Sleep(100 * time.Millisecond)
	client.Close()

	if err := <-result; err != nil && !errors.Is(err, ErrClosed) {
		t.Errorf("a call in flight during Close: %v", err)
	}
	if _, err := client.GetToken(); !errors.Is(err, ErrClosed) {
		t.Errorf("a call after Close: %v, want ErrClosed", err)
	}
}

func TestCloseTwiceAndUseAfterClose(t *testing.T) {
	client := New()
	if _, err := client.GetToken(); err != nil {
		t.Fatalf("GetToken: %v", err)
	}
	if err := client.Close(); err != nil {
		t.Errorf("first Close: %v", err)
	}
	if err := client.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}

	_, err := client.GetToken()
	failure := checkError(t, err, KindInvalidArgument, 0, ErrInvalidArgument, ErrClosed)
	if failure.Message != "the client is closed; create a new one with New or NewWithConfig" {
		t.Errorf("message %q", failure.Message)
	}
	if err := client.Invalidate(GetTokenOptions{}); !errors.Is(err, ErrClosed) {
		t.Errorf("Invalidate after Close: %v, want ErrClosed", err)
	}
	client.ClearCache()
	if text := client.String(); text != fmt.Sprintf("sethealth.Client{Key: %q, APIURL: %q, closed}", testKey, primary.URL) {
		t.Errorf("String() after Close = %s", text)
	}
}

func TestGarbageCollectBetweenCalls(t *testing.T) {
	client := New()
	defer client.Close()
	for call := range 20 {
		runtime.GC()
		response, err := client.GetTokenWithOptions(GetTokenOptions{UserID: fmt.Sprintf("gc-%d", call%3)})
		if err != nil {
			t.Fatalf("call %d: %v", call, err)
		}
		if response.Token == "" {
			t.Fatalf("call %d: empty token", call)
		}
	}
}

func TestGarbageCollectUnclosedClients(t *testing.T) {
	// Clients dropped without Close are freed by their cleanup; a wrong
	// cleanup (a double free, or a free during a call) crashes here.
	const clients = 20
	before := unclosedFreed.Load()
	for range clients {
		client := New()
		if _, err := client.GetToken(); err != nil {
			t.Fatalf("GetToken: %v", err)
		}
		runtime.GC()
	}

	// Cleanups run on a goroutine of their own after a collection.
	for deadline := time.Now().Add(10 * time.Second); unclosedFreed.Load()-before < clients; {
		if time.Now().After(deadline) {
			t.Fatalf("cleanups freed %d of %d unclosed clients within 10 s", unclosedFreed.Load()-before, clients)
		}
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
}

func TestGarbageCollectSkipsClosedClients(t *testing.T) {
	before := unclosedFreed.Load()
	for range 5 {
		New().Close()
	}
	for range 5 {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if freed := unclosedFreed.Load() - before; freed != 0 {
		t.Errorf("the cleanup freed %d closed clients again", freed)
	}
}
