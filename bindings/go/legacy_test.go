//go:build cgo

package sethealth

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestLegacyNewReadsEnvironment(t *testing.T) {
	reset(t)
	client := New()
	defer client.Close()

	response, err := client.GetToken()
	if err != nil {
		t.Fatalf("GetToken: %v", err)
	}
	got := claims(t, response.Token)
	if got["sa"] != testKey {
		t.Errorf("sa claim = %v, want %s", got["sa"], testKey)
	}
	requests := recordedRequests(t)
	if len(requests) != 1 || !strings.Contains(requests[0].Body, `"user-id":""`) {
		t.Errorf("requests %v, want one with an empty user-id", requests)
	}
	if response.ExpiresAt.Before(time.Now()) {
		t.Errorf("ExpiresAt = %v, want a future time", response.ExpiresAt)
	}
	if response.IssuedAt.IsZero() || response.IssuedAt.After(time.Now()) {
		t.Errorf("IssuedAt = %v, want a past time", response.IssuedAt)
	}
}

func TestLegacyNewWithCredentials(t *testing.T) {
	reset(t)
	client := NewWithCredentials(testKey, testSecret)
	defer client.Close()

	response, err := client.GetToken()
	if err != nil {
		t.Fatalf("GetToken: %v", err)
	}
	if response.Token == "" {
		t.Fatal("empty token")
	}
	if client.Key() != testKey {
		t.Errorf("Key() = %q, want %q", client.Key(), testKey)
	}
}

func TestLegacyOptionsReachWire(t *testing.T) {
	reset(t)
	client := New()
	defer client.Close()

	response, err := client.GetTokenWithOptions(GetTokenOptions{
		UserID:    "go-user-42",
		ExpiresIn: 90 * time.Second,
		TestMode:  true,
	})
	if err != nil {
		t.Fatalf("GetTokenWithOptions: %v", err)
	}

	got := claims(t, response.Token)
	if got["sub"] != "go-user-42" {
		t.Errorf("sub claim = %v, want go-user-42", got["sub"])
	}
	if got["test"] != true {
		t.Errorf("test claim = %v, want true", got["test"])
	}
	if lifetime := got["exp"].(float64) - got["iat"].(float64); lifetime != 90 {
		t.Errorf("exp - iat = %v s, want 90", lifetime)
	}

	requests := recordedRequests(t)
	if len(requests) != 1 {
		t.Fatalf("%d requests recorded, want 1", len(requests))
	}
	var body map[string]any
	if err := json.Unmarshal([]byte(requests[0].Body), &body); err != nil {
		t.Fatalf("request body: %v", err)
	}
	wantBody := map[string]any{
		"id": testKey, "secret": "<redacted>", "user-id": "go-user-42",
		"test-mode": true, "expires-in": float64(90 * time.Second),
	}
	for member, want := range wantBody {
		if body[member] != want {
			t.Errorf("body member %q = %v, want %v", member, body[member], want)
		}
	}
	if agent := requests[0].Headers["user-agent"]; !strings.Contains(agent, goUserAgent()) {
		t.Errorf("User-Agent = %q, want it to contain %q", agent, goUserAgent())
	}
}

func TestLegacyMissingVariableKeptUntilCall(t *testing.T) {
	unsetenv(t, "SETHEALTH_SECRET")
	client := New()
	defer client.Close()

	for call := 1; call <= 2; call++ {
		_, err := client.GetToken()
		if !errors.Is(err, ErrCredentials) || !errors.Is(err, ErrMissingCredentials) {
			t.Fatalf("call %d: %v, want ErrCredentials and ErrMissingCredentials", call, err)
		}
		if !strings.Contains(err.Error(), "SETHEALTH_SECRET") {
			t.Errorf("call %d: %q does not name SETHEALTH_SECRET", call, err)
		}
		var failure *Error
		if !errors.As(err, &failure) || !failure.unsetCredential {
			t.Errorf("call %d: %#v, want an unset credential", call, failure)
		}
	}
	if err := client.Invalidate(GetTokenOptions{}); !errors.Is(err, ErrMissingCredentials) {
		t.Errorf("Invalidate: %v, want ErrMissingCredentials", err)
	}
}

func TestLegacyEmptyCredentialsDoNotReadEnvironment(t *testing.T) {
	for _, credentials := range [][2]string{{"", testSecret}, {testKey, ""}, {"", ""}} {
		client := NewWithCredentials(credentials[0], credentials[1])
		_, err := client.GetToken()
		if !errors.Is(err, ErrCredentials) || !errors.Is(err, ErrMissingCredentials) {
			t.Errorf("NewWithCredentials(%q, <secret of %d bytes>): %v, want ErrMissingCredentials",
				credentials[0], len(credentials[1]), err)
		}
		client.Close()
	}
}

func TestLegacyRejectedSecretIsErrCredentials(t *testing.T) {
	client := NewWithCredentials(testKey, wrongSecret)
	defer client.Close()

	_, err := client.GetToken()
	if !errors.Is(err, ErrCredentials) {
		t.Fatalf("GetToken: %v, want ErrCredentials", err)
	}
	if errors.Is(err, ErrMissingCredentials) {
		t.Errorf("%v matches ErrMissingCredentials, want only ErrCredentials", err)
	}
	var failure *Error
	if !errors.As(err, &failure) {
		t.Fatalf("%T is not an *Error", err)
	}
	if failure.Kind != KindRejected || failure.StatusCode != 401 {
		t.Errorf("Kind %v, StatusCode %d; want rejected, 401", failure.Kind, failure.StatusCode)
	}
	if !errors.Is(err, ErrorLogin) {
		t.Errorf("%v does not match ErrorLogin", err)
	}
	assertNoSecret(t, err.Error())
}

func TestLegacyResponseJSONHasOnlyToken(t *testing.T) {
	client := New()
	defer client.Close()
	response, err := client.GetToken()
	if err != nil {
		t.Fatalf("GetToken: %v", err)
	}

	data, err := json.Marshal(response)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"token":"` + response.Token + `"}`
	if string(data) != want {
		t.Errorf("json.Marshal = %s, want %s", data, want)
	}
}

func TestLegacyEarlierNamesCompile(t *testing.T) {
	client := New()
	defer client.Close()
	var options TokenOptions = GetTokenOptions{UserID: "alias-user"}
	var response TokenResponse
	response, err := client.GetTokenWithOptions(options)
	if err != nil {
		t.Fatalf("GetTokenWithOptions: %v", err)
	}
	if claims(t, response.Token)["sub"] != "alias-user" {
		t.Errorf("sub claim of %q, want alias-user", response.Token)
	}
}
