//go:build cgo

package sethealth

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestContextCancelEndsStalledCall(t *testing.T) {
	client := newTestClient(t, testConfig())
	queueFault(t, `{"kind":"stall"}`)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)

	started := time.Now()
	_, err := client.GetTokenContext(ctx, GetTokenOptions{})
	elapsed := time.Since(started)

	if !errors.Is(err, context.Canceled) {
		t.Fatalf("GetTokenContext: %v, want context.Canceled", err)
	}
	var failure *Error
	if !errors.As(err, &failure) || failure.Kind != KindCancelled {
		t.Errorf("%v, want an *Error of KindCancelled", err)
	}
	if elapsed > 10*time.Second {
		t.Errorf("the cancelled call took %v", elapsed)
	}
}

func TestContextDeadlineEndsStalledCall(t *testing.T) {
	client := newTestClient(t, testConfig())
	queueFault(t, `{"kind":"stall"}`)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()

	started := time.Now()
	_, err := client.GetTokenContext(ctx, GetTokenOptions{})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("GetTokenContext: %v, want context.DeadlineExceeded", err)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, ErrTimeout) {
		t.Errorf("%v matches context.Canceled or ErrTimeout, want only DeadlineExceeded", err)
	}
	if elapsed := time.Since(started); elapsed > 10*time.Second {
		t.Errorf("the call past its deadline took %v", elapsed)
	}
}

func TestContextAlreadyDoneSendsNothing(t *testing.T) {
	client := newTestClient(t, testConfig())
	reset(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	_, err := client.GetTokenContext(ctx, GetTokenOptions{Fresh: true})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("GetTokenContext: %v, want context.Canceled", err)
	}
	if requests := recordedRequests(t); len(requests) != 0 {
		t.Errorf("%d requests sent for a cancelled context, want 0", len(requests))
	}
}

func TestContextCancelCauseInMessage(t *testing.T) {
	client := newTestClient(t, testConfig())
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(errors.New("request abandoned by the browser"))

	_, err := client.GetTokenContext(ctx, GetTokenOptions{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("GetTokenContext: %v, want context.Canceled", err)
	}
	if want := "sethealth: the token request was cancelled: request abandoned by the browser"; err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
}

func TestContextUnusedLeavesCallAlone(t *testing.T) {
	client := newTestClient(t, testConfig())
	queueFault(t, `{"kind":"delay","ms":300}`)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	response, err := client.GetTokenContext(ctx, GetTokenOptions{Fresh: true})
	if err != nil {
		t.Fatalf("GetTokenContext: %v", err)
	}
	if response.Token == "" {
		t.Error("empty token")
	}
}
