// Package sethealth mints short-lived Sethealth access tokens from a
// service account, for a backend that hands them to the Sethealth browser
// SDK.
//
// It is a thin cgo layer over sethealth-core, the Rust library that also
// backs the C and Python SDKs: every timeout, retry, cache and error rule
// lives there once, and this package converts types and maps errors.
//
// # Usage
//
//	client := sethealth.New() // SETHEALTH_KEY and SETHEALTH_SECRET
//	defer client.Close()
//
//	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
//	defer cancel()
//	response, err := client.GetTokenContext(ctx, sethealth.GetTokenOptions{
//		UserID:    "patient-42",
//		ExpiresIn: 30 * time.Minute,
//	})
//
// Share one [Client] between goroutines. It keeps one HTTPS connection pool
// and a cache that, by default, hands out a token while at least half of
// its lifetime and 30 s are left, and concurrent calls with equal options
// share one request. Each call is bounded by the client's deadline, 30 s by
// default, and retries rate limiting, server errors, timeouts and network
// failures with backoff. [Config] sets every one of these rules.
// Every call in flight holds one OS thread; at most [MaxConcurrentCalls]
// run at once, and further calls wait in Go without a thread.
//
// # Errors
//
// Every error is an [*Error] with a [Kind], the HTTP status when there was
// a response, and a message that starts with "sethealth: " and never
// contains the secret. Classify it with errors.Is and the sentinels
// (ErrRateLimited, ErrTimeout, ...), or read its fields with errors.As.
// A call ended by its context matches ctx.Err().
//
// # Migrating from github.com/sethealth/sethealth-go
//
// The package links a static library that is built, not published, so it
// cannot be fetched with go get alone: build it in a checkout of
// sethealth-core with `make go GO_LIB_PROFILE=release`, then add
//
//	replace github.com/sethealth/sethealth-core/bindings/go => /path/to/sethealth-core/bindings/go
//
// to your go.mod. Then change the import path; New, NewWithCredentials, GetToken,
// GetTokenWithOptions, GetTokenOptions, GetTokenResponse and ErrCredentials
// keep their names and meaning, and TokenOptions, TokenResponse and
// ErrorLogin remain as aliases from an earlier release. What changes for a
// program that relied on the old behaviour:
//
//   - Errors are [*Error] values, so compare with errors.Is(err,
//     sethealth.ErrCredentials) rather than err == sethealth.ErrCredentials.
//     ErrCredentials now means a rejection by the server or missing
//     credentials only. A 503, a timeout or a network failure has its own
//     sentinel instead of being reported as invalid credentials.
//   - A missing SETHEALTH_KEY or SETHEALTH_SECRET is reported by the first
//     call, with the variable's name, instead of sending an empty secret.
//   - Calls time out (30 s by default) instead of hanging on a stalled
//     server, and are retried when retrying can help.
//   - Tokens are cached: two calls with equal options may return the same
//     token while it has at least half of its lifetime left. Set
//     [GetTokenOptions].Fresh, or [Config].DisableCache, to mint a new one.
//   - SETHEALTH_API_URL and SETHEALTH_CA_FILE are honoured, which lets tests
//     run against a local emulator.
//   - Call [Client.Close] when done with a client.
//   - GetTokenOptions has a new Fresh field, so a positional literal such
//     as GetTokenOptions{"user", time.Hour, false} no longer compiles; name
//     the fields.
//
// # Building
//
// The package links the static library libsethealth.a from lib/ next to
// this file. Build it from the repository with `make go`, which uses the
// debug profile, or with `make go GO_LIB_PROFILE=release` for production
// binaries, which makes the library smaller and faster. cgo must be
// enabled.
package sethealth
