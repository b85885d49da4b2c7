//go:build cgo

package sethealth

import "testing"

func BenchmarkGetTokenCacheHit(b *testing.B) {
	client := New()
	defer client.Close()
	if _, err := client.GetToken(); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := client.GetToken(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGetTokenFreshMint(b *testing.B) {
	client := New()
	defer client.Close()
	options := GetTokenOptions{Fresh: true}
	for b.Loop() {
		if _, err := client.GetTokenWithOptions(options); err != nil {
			b.Fatal(err)
		}
	}
}
