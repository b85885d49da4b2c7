package main

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseBenchmarkOutput(t *testing.T) {
	output := `goos: linux
goarch: amd64
pkg: github.com/sethealth/sethealth-core/bindings/go
cpu: AMD EPYC
BenchmarkCacheHit-2              	 2862147	       838.4 ns/op
BenchmarkMintReusedConnection-2  	   10000	    211234 ns/op	     512 B/op	       9 allocs/op
BenchmarkMintNewConnection       	     500	   4.5e+06 ns/op
PASS
ok  	github.com/sethealth/sethealth-core/bindings/go	21.5s
`
	got, err := parse(strings.NewReader(output))
	if err != nil {
		t.Fatal(err)
	}
	want := []result{
		{Name: "cache_hit", NsPerOp: 838.4},
		{Name: "mint_reused_connection", NsPerOp: 211234},
		{Name: "mint_new_connection", NsPerOp: 4.5e6},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parse = %+v, want %+v", got, want)
	}
}

func TestParseIgnoresOtherLines(t *testing.T) {
	got, err := parse(strings.NewReader("--- FAIL: BenchmarkCacheHit\nBenchmarkCacheHit-2 \tfailed\nFAIL\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 0 {
		t.Errorf("parse = %+v, want no results", got)
	}
}
