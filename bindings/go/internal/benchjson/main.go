// Command benchjson converts `go test -bench` output on standard input into
// the JSON list that scripts/bench-report.py reads: one object per
// benchmark, {"name": "cache_hit", "ns_per_op": 1234.5}, where the name is
// the benchmark's name without "Benchmark" and the GOMAXPROCS suffix, in
// snake_case.
//
//	go test -run '^$' -bench . | go run ./internal/benchjson > go.json
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// result is one row of the JSON list.
type result struct {
	Name    string  `json:"name"`
	NsPerOp float64 `json:"ns_per_op"`
}

// benchmarkLine matches a result line such as
// "BenchmarkCacheHit-2   1000000   1234 ns/op   56 B/op", capturing the
// name without its -GOMAXPROCS suffix and the time per operation.
var benchmarkLine = regexp.MustCompile(`^Benchmark(\w+?)(?:-\d+)?\s+\d+\s+([0-9.eE+]+) ns/op\b`)

func main() {
	results, err := parse(os.Stdin)
	if err == nil && len(results) == 0 {
		err = fmt.Errorf("no benchmark results on standard input; expected lines such as \"BenchmarkCacheHit-2 1000 123 ns/op\"")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchjson:", err)
		os.Exit(1)
	}

	encoder := json.NewEncoder(os.Stdout)
	encoder.SetIndent("", "  ")
	if err := encoder.Encode(results); err != nil {
		fmt.Fprintln(os.Stderr, "benchjson:", err)
		os.Exit(1)
	}
}

// parse reads `go test -bench` output and returns its results in order.
func parse(input io.Reader) ([]result, error) {
	var results []result
	scanner := bufio.NewScanner(input)
	for scanner.Scan() {
		match := benchmarkLine.FindStringSubmatch(scanner.Text())
		if match == nil {
			continue
		}
		nanoseconds, err := strconv.ParseFloat(match[2], 64)
		if err != nil {
			return nil, fmt.Errorf("invalid ns/op %q in %q: %w", match[2], scanner.Text(), err)
		}
		results = append(results, result{Name: snakeCase(match[1]), NsPerOp: nanoseconds})
	}
	return results, scanner.Err()
}

// snakeCase turns "MintNewConnection" into "mint_new_connection".
func snakeCase(name string) string {
	var out strings.Builder
	for index, letter := range name {
		if unicode.IsUpper(letter) && index > 0 {
			out.WriteByte('_')
		}
		out.WriteRune(unicode.ToLower(letter))
	}
	return out.String()
}
