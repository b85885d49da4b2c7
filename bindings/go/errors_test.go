//go:build cgo

package sethealth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

var allSentinels = []error{
	ErrCredentials, ErrMissingCredentials, ErrInvalidArgument, ErrInvalidConfig, ErrRateLimited,
	ErrServer, ErrTimeout, ErrNetwork, ErrTLS, ErrBadResponse, ErrInternal, ErrClosed,
}

// checkError asserts the kind, the sentinels matched (and no others), the
// HTTP status and the message shape of err.
func checkError(t *testing.T, err error, kind Kind, statusCode int, matches ...error) *Error {
	t.Helper()
	var failure *Error
	if !errors.As(err, &failure) {
		t.Fatalf("error %v (%T) is not an *Error", err, err)
	}
	if failure.Kind != kind {
		t.Errorf("Kind = %v, want %v (%v)", failure.Kind, kind, err)
	}
	if failure.StatusCode != statusCode {
		t.Errorf("StatusCode = %d, want %d (%v)", failure.StatusCode, statusCode, err)
	}
	for _, sentinel := range allSentinels {
		want := false
		for _, match := range matches {
			want = want || sentinel == match
		}
		if got := errors.Is(err, sentinel); got != want {
			t.Errorf("errors.Is(err, %v) = %t, want %t (%v)", sentinel, got, want, err)
		}
	}
	if !strings.HasPrefix(err.Error(), "sethealth: ") || len(failure.Message) < 20 {
		t.Errorf("message %q, want a sentence after \"sethealth: \"", err.Error())
	}
	assertNoSecret(t, err.Error())
	return failure
}

func mintFresh(client *Client) error {
	_, err := client.GetTokenWithOptions(GetTokenOptions{Fresh: true})
	return err
}

func TestErrorServerStatuses(t *testing.T) {
	client := newTestClient(t, testConfig())
	cases := []struct {
		fault      string
		kind       Kind
		statusCode int
		sentinel   error
	}{
		{`{"kind":"status","status":503}`, KindServer, 503, ErrServer},
		{`{"kind":"status","status":500}`, KindServer, 500, ErrServer},
		{`{"kind":"status","status":429,"retry_after":"2"}`, KindRateLimited, 429, ErrRateLimited},
		{`{"kind":"status","status":403}`, KindRejected, 403, ErrCredentials},
		{`{"kind":"status","status":400}`, KindRejected, 400, ErrCredentials},
	}
	for _, tc := range cases {
		t.Run(tc.fault, func(t *testing.T) {
			queueFault(t, tc.fault)
			failure := checkError(t, mintFresh(client), tc.kind, tc.statusCode, tc.sentinel)
			if failure.Retryable() != (tc.kind != KindRejected) {
				t.Errorf("Retryable() = %t for %v", failure.Retryable(), tc.kind)
			}
			if tc.kind == KindRateLimited && failure.RetryAfter != 2*time.Second {
				t.Errorf("RetryAfter = %v, want 2s", failure.RetryAfter)
			}
			if failure.Attempts != 1 {
				t.Errorf("Attempts = %d, want 1", failure.Attempts)
			}
		})
	}
}

func TestErrorBadResponses(t *testing.T) {
	client := newTestClient(t, testConfig())
	redirect := fmt.Sprintf(`{"kind":"redirect","status":307,"location":"%s/elsewhere"}`, primary.URL)
	faults := map[string]int{
		`{"kind":"malformed_json"}`:                        0,
		`{"kind":"no_token"}`:                              0,
		`{"kind":"oversized","bytes":70000}`:               0,
		redirect:                                           307,
		`{"kind":"status","status":200,"body":"not json"}`: 0,
	}
	for fault, statusCode := range faults {
		t.Run(fault, func(t *testing.T) {
			queueFault(t, fault)
			failure := checkError(t, mintFresh(client), KindBadResponse, statusCode, ErrBadResponse)
			if failure.Retryable() {
				t.Errorf("a bad response is retryable: %v", failure)
			}
		})
	}
}

func TestErrorTimeoutAgainstStall(t *testing.T) {
	config := testConfig()
	config.AttemptTimeout = 300 * time.Millisecond
	config.Deadline = 800 * time.Millisecond
	client := newTestClient(t, config)
	queueFault(t, `{"kind":"stall"}`)

	started := time.Now()
	failure := checkError(t, mintFresh(client), KindTimeout, 0, ErrTimeout)
	if elapsed := time.Since(started); elapsed > 10*time.Second {
		t.Errorf("the timeout took %v", elapsed)
	}
	if !failure.Retryable() {
		t.Error("a timeout is not retryable")
	}
}

func TestErrorNetworkRefusedPort(t *testing.T) {
	config := testConfig()
	config.APIURL = fmt.Sprintf("https://127.0.0.1:%d", unusedPort(t))
	client := newTestClient(t, config)
	checkError(t, mintFresh(client), KindNetwork, 0, ErrNetwork)
}

func TestErrorNetworkClosedBeforeResponse(t *testing.T) {
	client := newTestClient(t, testConfig())
	queueFault(t, `{"kind":"close_before_response"}`)
	checkError(t, mintFresh(client), KindNetwork, 0, ErrNetwork)
}

func TestErrorTLSWrongAuthority(t *testing.T) {
	config := testConfig()
	config.CAFile = other.CAFile
	client := newTestClient(t, config)
	checkError(t, mintFresh(client), KindTLS, 0, ErrTLS)
}

func TestErrorInvalidConfig(t *testing.T) {
	cases := map[string]Config{
		"malformed URL":         {APIURL: "::not a url"},
		"plain http remote":     {APIURL: "http://sethealth.invalid"},
		"missing CA file":       {CAFile: "/nonexistent/sethealth-ca.pem"},
		"negative timeout":      {AttemptTimeout: -time.Second},
		"negative attempts":     {MaxAttempts: -1},
		"control in user agent": {UserAgentSuffix: "bad\nsuffix"},
	}
	for name, overrides := range cases {
		t.Run(name, func(t *testing.T) {
			config := testConfig()
			config.MaxAttempts = 0
			if overrides.APIURL != "" {
				config.APIURL = overrides.APIURL
			}
			if overrides.CAFile != "" {
				config.CAFile = overrides.CAFile
			}
			config.AttemptTimeout = overrides.AttemptTimeout
			config.MaxAttempts = overrides.MaxAttempts
			config.UserAgentSuffix = overrides.UserAgentSuffix

			client, err := NewWithConfig(config)
			if client != nil {
				t.Errorf("NewWithConfig returned a client with the error %v", err)
			}
			checkError(t, err, KindInvalidConfig, 0, ErrInvalidConfig)
		})
	}
}

func TestErrorPlainHTTPNamesHost(t *testing.T) {
	config := testConfig()
	config.APIURL = "http://sethealth.invalid"
	_, err := NewWithConfig(config)
	if err == nil || !strings.Contains(err.Error(), "sethealth.invalid") {
		t.Errorf("error %v does not name the host", err)
	}
}

func TestErrorInvalidArguments(t *testing.T) {
	client := newTestClient(t, testConfig())
	cases := map[string]GetTokenOptions{
		"negative lifetime":     {ExpiresIn: -time.Second},
		"NUL in user id":        {UserID: "user\x00id"},
		"invalid UTF-8 user id": {UserID: "user\xff"},
		"control char in user":  {UserID: "user\nid"},
	}
	for name, options := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := client.GetTokenWithOptions(options)
			checkError(t, err, KindInvalidArgument, 0, ErrInvalidArgument)
		})
	}

	_, err := client.GetTokenWithOptions(GetTokenOptions{ExpiresIn: -5 * time.Second})
	if !strings.Contains(err.Error(), "ExpiresIn is -5s") {
		t.Errorf("%q does not name ExpiresIn and its value", err)
	}
}

func TestErrorInvalidCredentialBytes(t *testing.T) {
	client := NewWithCredentials(testKey, "secret\x00"+testSecret)
	_, err := client.GetToken()
	failure := checkError(t, err, KindInvalidArgument, 0, ErrInvalidArgument)
	if !strings.Contains(failure.Message, "secret contains a NUL byte") {
		t.Errorf("message %q does not name the secret", failure.Message)
	}
}

func TestErrorCancelledMatchesContext(t *testing.T) {
	client := newTestClient(t, testConfig())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := client.GetTokenContext(ctx, GetTokenOptions{})
	checkError(t, err, KindCancelled, 0)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("%v does not match context.Canceled", err)
	}
}

func TestKindNamesFromLibrary(t *testing.T) {
	names := map[Kind]string{
		KindMissingCredentials: "missing_credentials", KindRejected: "rejected",
		KindTLS: "tls", KindCancelled: "cancelled", KindInternal: "internal", Kind(99): "unknown",
	}
	for kind, want := range names {
		if got := kind.String(); got != want {
			t.Errorf("Kind(%d).String() = %q, want %q", uint32(kind), got, want)
		}
	}
}
