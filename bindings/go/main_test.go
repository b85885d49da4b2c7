//go:build cgo

package sethealth

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const (
	testKey = "sa_go_test_0001"
	// Distinctive, so that a test can prove it never appears in output.
	testSecret  = "go-SECRET-4c1d9e7a2b="
	wrongSecret = "go-WRONG-SECRET-93ab6f01="
)

// emulator is a sethealth-emulator process started for this test binary.
type emulator struct {
	URL    string `json:"url"`
	CAFile string `json:"ca_file"`
	cmd    *exec.Cmd
	admin  *http.Client
}

// primary serves most tests; other is a second emulator whose CA the
// primary does not use, for the TLS test.
var primary, other *emulator

func TestMain(m *testing.M) {
	code, err := runWithEmulators(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "sethealth tests:", err)
		os.Exit(2)
	}
	os.Exit(code)
}

func runWithEmulators(m *testing.M) (int, error) {
	binary := os.Getenv("SETHEALTH_EMULATOR_BIN")
	if binary == "" {
		binary = filepath.Join("..", "..", "target", "debug", "sethealth-emulator")
	}
	dir, err := os.MkdirTemp("", "sethealth-go-test-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)

	if primary, err = startEmulator(binary, filepath.Join(dir, "primary")); err != nil {
		return 0, err
	}
	defer primary.stop()
	if other, err = startEmulator(binary, filepath.Join(dir, "other")); err != nil {
		return 0, err
	}
	defer other.stop()

	for _, variable := range []string{"SETHEALTH_KEY", "SETHEALTH_SECRET", "SETHEALTH_API_URL", "SETHEALTH_CA_FILE"} {
		os.Unsetenv(variable)
	}
	os.Setenv("SETHEALTH_KEY", testKey)
	os.Setenv("SETHEALTH_SECRET", testSecret)
	os.Setenv("SETHEALTH_API_URL", primary.URL)
	os.Setenv("SETHEALTH_CA_FILE", primary.CAFile)
	return m.Run(), nil
}

func startEmulator(binary, dir string) (*emulator, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	ready := filepath.Join(dir, "ready.json")
	log, err := os.Create(filepath.Join(dir, "emulator.log"))
	if err != nil {
		return nil, err
	}
	defer log.Close()

	cmd := exec.Command(binary, "--account", testKey+":"+testSecret, "--ready-file", ready,
		"--ca-out", filepath.Join(dir, "ca.pem"), "--log-level", "warn")
	cmd.Stdout, cmd.Stderr = io.Discard, log
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("cannot start %s (build it with `cargo build -p sethealth-emulator` "+
			"or set SETHEALTH_EMULATOR_BIN): %w", binary, err)
	}

	emu := &emulator{cmd: cmd}
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		data, err := os.ReadFile(ready)
		if err != nil || json.Unmarshal(data, emu) != nil || emu.URL == "" {
			continue
		}
		emu.admin, err = adminClient(emu.CAFile)
		return emu, err
	}
	emu.stop()
	return nil, fmt.Errorf("%s was not ready within 20 s; see %s", binary, log.Name())
}

func adminClient(caFile string) (*http.Client, error) {
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, err
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pem)
	transport := &http.Transport{Proxy: nil, TLSClientConfig: &tls.Config{RootCAs: roots}}
	return &http.Client{Transport: transport, Timeout: 10 * time.Second}, nil
}

func (e *emulator) stop() {
	if e.cmd.Process != nil {
		e.cmd.Process.Signal(os.Interrupt)
		e.cmd.Wait()
	}
}

// call sends one admin request and decodes a JSON response into result.
func (e *emulator) call(t testing.TB, method, path, body string, result any) {
	t.Helper()
	request, err := http.NewRequest(method, e.URL+path, bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	request.Header.Set("Content-Type", "application/json")
	response, err := e.admin.Do(request)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer response.Body.Close()
	data, _ := io.ReadAll(response.Body)
	if response.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: HTTP %d: %s", method, path, response.StatusCode, data)
	}
	if result != nil {
		if err := json.Unmarshal(data, result); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, data)
		}
	}
}

// reset clears the primary emulator's counters, requests and faults.
func reset(t testing.TB) {
	t.Helper()
	primary.call(t, "POST", "/_emulator/reset", "", nil)
}

// queueFault resets the primary emulator and queues one fault. The
// emulator is reset again when the test ends, so that a fault the test did
// not use up cannot reach the next test.
func queueFault(t testing.TB, fault string) {
	t.Helper()
	reset(t)
	primary.call(t, "POST", "/_emulator/faults", fault, nil)
	t.Cleanup(func() { reset(t) })
}

type recordedRequest struct {
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
}

func recordedRequests(t testing.TB) []recordedRequest {
	t.Helper()
	var requests []recordedRequest
	primary.call(t, "GET", "/_emulator/requests", "", &requests)
	return requests
}

// emulatorStats are the primary emulator's counters since its last reset.
type emulatorStats struct {
	// Requests counts every token request whose body arrived, whatever happened next.
	Requests     int `json:"requests"`
	TokensIssued int `json:"tokens_issued"`
}

func stats(t testing.TB) emulatorStats {
	t.Helper()
	var result emulatorStats
	primary.call(t, "GET", "/_emulator/stats", "", &result)
	return result
}

func tokensIssued(t testing.TB) int {
	t.Helper()
	return stats(t).TokensIssued
}

// requestsReceived returns the number of token requests the primary
// emulator received since its last reset.
func requestsReceived(t testing.TB) int {
	t.Helper()
	return stats(t).Requests
}

// claims decodes the payload of a JWT without checking its signature.
func claims(t testing.TB, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token is not a JWT: %d parts", len(parts))
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("JWT payload: %v", err)
	}
	var decoded map[string]any
	if err := json.Unmarshal(payload, &decoded); err != nil {
		t.Fatalf("JWT payload: %v", err)
	}
	return decoded
}

// testConfig returns settings for the primary emulator with one attempt per
// call, so that a fault is seen at once instead of being retried.
func testConfig() Config {
	return Config{Key: testKey, Secret: testSecret, APIURL: primary.URL, CAFile: primary.CAFile, MaxAttempts: 1}
}

func newTestClient(t testing.TB, config Config) *Client {
	t.Helper()
	client, err := NewWithConfig(config)
	if err != nil {
		t.Fatalf("NewWithConfig: %v", err)
	}
	t.Cleanup(func() { client.Close() })
	return client
}

// unusedPort returns a loopback port that nothing listens on.
func unusedPort(t testing.TB) int {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := listener.Addr().(*net.TCPAddr).Port
	listener.Close()
	return port
}

// assertNoSecret fails when text contains either test secret.
func assertNoSecret(t testing.TB, text string) {
	t.Helper()
	for _, secret := range []string{testSecret, wrongSecret} {
		if strings.Contains(text, secret) {
			t.Errorf("a secret appears in %q", text)
		}
	}
}

// unsetenv unsets a variable for one test and restores it afterwards.
func unsetenv(t *testing.T, variable string) {
	t.Helper()
	t.Setenv(variable, "")
	os.Unsetenv(variable)
}
