//go:build cgo

package sethealth

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestConfigRetryAndCacheValuesChecked(t *testing.T) {
	cases := []struct {
		name   string
		change func(*Config)
		want   []string
	}{
		{"base delay above max", func(c *Config) { c.RetryBaseDelay, c.RetryMaxDelay = 2*time.Second, time.Second },
			[]string{"2s", "1s"}},
		// The base delay left at 0 is the core's default, 200 ms.
		{"max delay below default base", func(c *Config) { c.RetryMaxDelay = 100 * time.Millisecond },
			[]string{"200ms", "100ms"}},
		{"fraction above 1", func(c *Config) { c.CacheMinRemainingFraction = 1.5 }, []string{"1.5"}},
		{"fraction NaN", func(c *Config) { c.CacheMinRemainingFraction = math.NaN() }, []string{"NaN"}},
		{"fraction -Inf", func(c *Config) { c.CacheMinRemainingFraction = math.Inf(-1) }, []string{"-inf"}},
		{"negative base delay", func(c *Config) { c.RetryBaseDelay = -time.Second },
			[]string{"Config.RetryBaseDelay", "-1s"}},
		{"negative max delay", func(c *Config) { c.RetryMaxDelay = -time.Second },
			[]string{"Config.RetryMaxDelay", "-1s"}},
		{"negative assumed lifetime", func(c *Config) { c.CacheAssumedLifetime = -time.Minute },
			[]string{"Config.CacheAssumedLifetime", "-1m0s"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			config := testConfig()
			tc.change(&config)
			client, err := NewWithConfig(config)
			if client != nil {
				t.Errorf("NewWithConfig returned a client with the error %v", err)
			}
			failure := checkError(t, err, KindInvalidConfig, 0, ErrInvalidConfig)
			for _, part := range tc.want {
				if !strings.Contains(failure.Message, part) {
					t.Errorf("message %q does not contain %q", failure.Message, part)
				}
			}
		})
	}
}

func TestConfigCacheMarginsDecideReuse(t *testing.T) {
	cases := []struct {
		name         string
		fraction     float64
		minRemaining time.Duration
		expiresIn    time.Duration
		requests     int
	}{
		{"defaults, server lifetime", 0, 0, 0, 1},
		{"fraction 1", 1, 0, 0, 2},
		{"default 30 s margin, 10 s token", 0, 0, 10 * time.Second, 2},
		{"no margin, 10 s token", 0, -1, 10 * time.Second, 1},
		{"70 s margin, 60 s token", 0, 70 * time.Second, 60 * time.Second, 2},
		{"sub-millisecond margin, 10 s token", 0, time.Microsecond, 10 * time.Second, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			config := testConfig()
			config.CacheMinRemainingFraction = tc.fraction
			config.CacheMinRemaining = tc.minRemaining
			client := newTestClient(t, config)
			reset(t)

			for call := range 2 {
				if _, err := client.GetTokenWithOptions(GetTokenOptions{ExpiresIn: tc.expiresIn}); err != nil {
					t.Fatalf("call %d: %v", call, err)
				}
			}
			if requests := requestsReceived(t); requests != tc.requests {
				t.Errorf("%d requests for two calls, want %d", requests, tc.requests)
			}
		})
	}
}

func TestConfigCacheNoFractionKeepsAgedToken(t *testing.T) {
	// Both clients mint a 4 s token and ask again 2.5 s later, when less
	// than half but more than none of its lifetime is left. The emulator's
	// exp claim is in whole seconds, so the lifetime the client sees is
	// between 3 and 5 s, and the outcome is the same anywhere in that range.
	byUser := map[string]float64{"aged-default-fraction": 0, "aged-no-fraction": -1}
	want := map[string]int{"aged-default-fraction": 2, "aged-no-fraction": 1}
	clients := map[string]*Client{}
	for user, fraction := range byUser {
		config := testConfig()
		config.CacheMinRemainingFraction = fraction
		config.CacheMinRemaining = -1
		clients[user] = newTestClient(t, config)
	}
	reset(t)

	for round := range 2 {
		if round == 1 {
			time.Sleep(2500 * time.Millisecond)
		}
		for user, client := range clients {
			if _, err := client.GetTokenWithOptions(GetTokenOptions{UserID: user, ExpiresIn: 4 * time.Second}); err != nil {
				t.Fatalf("%s, round %d: %v", user, round, err)
			}
		}
	}

	for user, requests := range want {
		sent := 0
		for _, request := range recordedRequests(t) {
			if strings.Contains(request.Body, `"user-id":"`+user+`"`) {
				sent++
			}
		}
		if sent != requests {
			t.Errorf("%s: %d requests, want %d", user, sent, requests)
		}
	}
}

func TestConfigCacheAssumedLifetime(t *testing.T) {
	// A token that is not a JWT, requested without ExpiresIn, states no lifetime.
	const opaque = `{"kind":"status","status":200,"body":"{\"token\":\"opaque-token-1\"}"}`
	cases := []struct {
		name     string
		assumed  time.Duration
		requests int
	}{
		{"default 10 minutes", 0, 1},
		{"20 s, under the 30 s margin", 20 * time.Second, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			config := testConfig()
			config.CacheAssumedLifetime = tc.assumed
			client := newTestClient(t, config)
			queueFault(t, opaque)

			first, err := client.GetToken()
			if err != nil {
				t.Fatal(err)
			}
			if first.Token != "opaque-token-1" || !first.ExpiresAt.IsZero() {
				t.Fatalf("first token %q expiring at %v, want the opaque token with no expiry", first.Token, first.ExpiresAt)
			}
			if _, err := client.GetToken(); err != nil {
				t.Fatal(err)
			}
			if requests := requestsReceived(t); requests != tc.requests {
				t.Errorf("%d requests for two calls, want %d", requests, tc.requests)
			}
		})
	}
}
