//go:build cgo

package sethealth

import (
	"strings"
	"testing"
	"time"
)

func TestCacheFreshAndInvalidate(t *testing.T) {
	client := newTestClient(t, testConfig())
	reset(t)
	options := GetTokenOptions{UserID: "cache-user"}

	first, err := client.GetTokenWithOptions(options)
	if err != nil {
		t.Fatal(err)
	}
	second, err := client.GetTokenWithOptions(options)
	if err != nil {
		t.Fatal(err)
	}
	if first.Token != second.Token {
		t.Error("the second call did not reuse the cached token")
	}
	if issued := tokensIssued(t); issued != 1 {
		t.Errorf("%d tokens issued after a cache hit, want 1", issued)
	}

	fresh := options
	fresh.Fresh = true
	if _, err := client.GetTokenWithOptions(fresh); err != nil {
		t.Fatal(err)
	}
	if issued := tokensIssued(t); issued != 2 {
		t.Errorf("%d tokens issued after Fresh, want 2", issued)
	}

	if err := client.Invalidate(options); err != nil {
		t.Fatal(err)
	}
	if _, err := client.GetTokenWithOptions(options); err != nil {
		t.Fatal(err)
	}
	if issued := tokensIssued(t); issued != 3 {
		t.Errorf("%d tokens issued after Invalidate, want 3", issued)
	}

	client.ClearCache()
	if _, err := client.GetTokenWithOptions(options); err != nil {
		t.Fatal(err)
	}
	if issued := tokensIssued(t); issued != 4 {
		t.Errorf("%d tokens issued after ClearCache, want 4", issued)
	}
}

func TestConfigDisableCache(t *testing.T) {
	config := testConfig()
	config.DisableCache = true
	client := newTestClient(t, config)
	reset(t)

	for range 3 {
		if _, err := client.GetToken(); err != nil {
			t.Fatal(err)
		}
	}
	if issued := tokensIssued(t); issued != 3 {
		t.Errorf("%d tokens issued with the cache off, want 3", issued)
	}
}

func TestConfigMaxAttemptsRetries(t *testing.T) {
	config := testConfig()
	config.MaxAttempts = 3
	client := newTestClient(t, config)
	queueFault(t, `{"kind":"status","status":503,"count":2}`)

	if _, err := client.GetToken(); err != nil {
		t.Fatalf("GetToken after two 503s with 3 attempts: %v", err)
	}
	if requests := recordedRequests(t); len(requests) != 3 {
		t.Errorf("%d requests sent, want 3", len(requests))
	}
}

func TestConfigUserAgentSuffixReachesWire(t *testing.T) {
	config := testConfig()
	config.UserAgentSuffix = "go-test-app/7"
	client := newTestClient(t, config)
	reset(t)

	if _, err := client.GetToken(); err != nil {
		t.Fatal(err)
	}
	requests := recordedRequests(t)
	if len(requests) != 1 {
		t.Fatalf("%d requests recorded, want 1", len(requests))
	}
	agent := requests[0].Headers["user-agent"]
	if !strings.HasPrefix(agent, "sethealth-core/") || !strings.HasSuffix(agent, goUserAgent()+" go-test-app/7") {
		t.Errorf("User-Agent = %q, want sethealth-core/<version> %s go-test-app/7", agent, goUserAgent())
	}
}

func TestConfigSmallDurationsRoundUp(t *testing.T) {
	for duration, want := range map[int64]int64{0: 0, 1: 1, 999_999: 1, 1_000_000: 1, 1_500_000: 1, 2_000_000: 2} {
		if got := milliseconds(time.Duration(duration)); got != want {
			t.Errorf("milliseconds(%dns) = %d, want %d", duration, got, want)
		}
	}
}
