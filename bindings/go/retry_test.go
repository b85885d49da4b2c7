//go:build cgo

package sethealth

import (
	"testing"
	"time"
)

// retryingConfig returns testConfig with the default retry policy: 3 attempts.
func retryingConfig() Config {
	config := testConfig()
	config.MaxAttempts = 0
	return config
}

func TestRetryRejectionSendsOneRequest(t *testing.T) {
	config := retryingConfig()
	config.Secret = wrongSecret
	client := newTestClient(t, config)
	reset(t)

	_, err := client.GetToken()
	failure := checkError(t, err, KindRejected, 401, ErrCredentials)
	if failure.Attempts != 1 {
		t.Errorf("Attempts = %d, want 1", failure.Attempts)
	}
	if requests := requestsReceived(t); requests != 1 {
		t.Errorf("a 401 led to %d requests, want 1", requests)
	}
}

func TestRetryAfterOneSecondHonoured(t *testing.T) {
	client := newTestClient(t, retryingConfig())
	queueFault(t, `{"kind":"status","status":429,"retry_after":"1"}`)

	started := time.Now()
	response, err := client.GetTokenWithOptions(GetTokenOptions{Fresh: true})
	elapsed := time.Since(started)

	if err != nil {
		t.Fatalf("GetToken after a 429 with Retry-After: 1: %v", err)
	}
	if response.Token == "" {
		t.Error("empty token")
	}
	if elapsed < 900*time.Millisecond {
		t.Errorf("the call took %v, want at least the 1 s of Retry-After", elapsed)
	}
	if elapsed > 10*time.Second {
		t.Errorf("the call took %v, want about 1 s", elapsed)
	}
	if requests := requestsReceived(t); requests != 2 {
		t.Errorf("%d requests, want 2", requests)
	}
}

func TestRetryAfterPastDeadlineFailsAtOnce(t *testing.T) {
	client := newTestClient(t, retryingConfig())
	queueFault(t, `{"kind":"status","status":429,"retry_after":"3600"}`)

	started := time.Now()
	_, err := client.GetTokenWithOptions(GetTokenOptions{Fresh: true})
	elapsed := time.Since(started)

	failure := checkError(t, err, KindRateLimited, 429, ErrRateLimited)
	if failure.RetryAfter != time.Hour {
		t.Errorf("RetryAfter = %v, want 1h", failure.RetryAfter)
	}
	// The default deadline is 30 s; waiting for any part of it would be a bug.
	if elapsed > 10*time.Second {
		t.Errorf("the call took %v, want it to fail without waiting", elapsed)
	}
	if requests := requestsReceived(t); requests != 1 {
		t.Errorf("%d requests, want 1", requests)
	}
}

func TestRetryStopsAtDeadline(t *testing.T) {
	config := retryingConfig()
	config.AttemptTimeout = 400 * time.Millisecond
	config.Deadline = time.Second
	client := newTestClient(t, config)
	queueFault(t, `{"kind":"stall","count":3}`)

	started := time.Now()
	_, err := client.GetTokenWithOptions(GetTokenOptions{Fresh: true})
	elapsed := time.Since(started)

	failure := checkError(t, err, KindTimeout, 0, ErrTimeout)
	// The first attempt times out at 400 ms and its backoff is under 200 ms,
	// so a second attempt always starts before the deadline.
	if failure.Attempts < 2 {
		t.Errorf("Attempts = %d, want at least 2", failure.Attempts)
	}
	if elapsed < 400*time.Millisecond {
		t.Errorf("the call took %v, less than one attempt timeout", elapsed)
	}
	if elapsed > 2500*time.Millisecond {
		t.Errorf("the call took %v, want it to end at the 1 s deadline", elapsed)
	}
}
