//go:build cgo

package sethealth

import "testing"

// The three benchmarks run side by side against the primary emulator over
// HTTPS on loopback, and `make bench-go` reports them by the names
// cache_hit, mint_reused_connection and mint_new_connection.

// BenchmarkCacheHit measures a cached token handed out again.
func BenchmarkCacheHit(b *testing.B) {
	client := New()
	defer client.Close()
	if _, err := client.GetToken(); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := client.GetToken(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMintReusedConnection measures a new token from one client with
// the cache off, whose pool keeps the TLS connection open between calls.
func BenchmarkMintReusedConnection(b *testing.B) {
	client, err := NewWithConfig(Config{DisableCache: true})
	if err != nil {
		b.Fatal(err)
	}
	defer client.Close()
	for b.Loop() {
		if _, err := client.GetToken(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMintNewConnection is the baseline: a new client per call, so
// that every call pays a TCP and TLS handshake and closes its connection
// afterwards, as the legacy Go client did.
func BenchmarkMintNewConnection(b *testing.B) {
	for b.Loop() {
		client := New()
		_, err := client.GetToken()
		client.Close()
		if err != nil {
			b.Fatal(err)
		}
	}
}
