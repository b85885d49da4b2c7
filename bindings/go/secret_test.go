//go:build cgo

package sethealth

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestSecretAbsentFromFormatting(t *testing.T) {
	client := newTestClient(t, testConfig())
	unusable := NewWithCredentials("", testSecret)
	config := testConfig()

	for _, value := range []any{client, unusable, config, &config} {
		text := fmt.Sprintf("%v %+v %#v %s", value, value, value, value)
		assertNoSecret(t, text)
		if value == any(client) && text == "" {
			t.Error("empty description")
		}
	}
	want := fmt.Sprintf("sethealth.Client{Key: %q, APIURL: %q}", testKey, primary.URL)
	if got := fmt.Sprintf("%v", client); got != want {
		t.Errorf("%%v = %s, want %s", got, want)
	}
	if got := fmt.Sprintf("%#v", config); !strings.Contains(got, "Secret: <redacted>") {
		t.Errorf("%%#v of Config = %s, want the secret redacted", got)
	}
}

func TestSecretAbsentFromErrors(t *testing.T) {
	rejected := NewWithCredentials(testKey, wrongSecret)
	defer rejected.Close()
	stalled := newTestClient(t, Config{
		Key: testKey, Secret: testSecret, APIURL: primary.URL, CAFile: primary.CAFile,
		AttemptTimeout: 200 * time.Millisecond, Deadline: 400 * time.Millisecond, MaxAttempts: 1,
	})

	var failures []error
	_, err := rejected.GetToken()
	failures = append(failures, err)
	_, err = NewWithConfig(Config{Key: testKey, Secret: testSecret, APIURL: "http://sethealth.invalid"})
	failures = append(failures, err)
	_, err = NewWithCredentials("sa_\x01bad", testSecret).GetToken()
	failures = append(failures, err)
	_, err = NewWithCredentials(testKey, testSecret+"\n\x01").GetToken()
	failures = append(failures, err)
	queueFault(t, `{"kind":"stall"}`)
	_, err = stalled.GetTokenWithOptions(GetTokenOptions{Fresh: true})
	failures = append(failures, err)

	for index, failure := range failures {
		if failure == nil {
			t.Errorf("case %d: no error", index)
			continue
		}
		assertNoSecret(t, fmt.Sprintf("%v %+v %#v", failure, failure, failure))
	}
}
