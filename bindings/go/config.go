//go:build cgo

package sethealth

// #include <stdlib.h>
// #include "sethealth.h"
import "C"

import (
	"fmt"
	"math"
	"runtime"
	"strings"
	"time"
	"unsafe"
)

// Config holds the settings of [NewWithConfig]. Every zero field keeps its
// default; string fields fall back to their environment variable first.
//
// Config's String and GoString methods print the secret as "<redacted>".
type Config struct {
	// Key is the service account's key. Empty means SETHEALTH_KEY.
	Key string
	// Secret is the service account's secret. Empty means SETHEALTH_SECRET.
	Secret string
	// APIURL is the base URL; tokens are requested from APIURL + "/token".
	// Empty means SETHEALTH_API_URL, else https://api.set.health. Plain
	// http:// is accepted only for a loopback host, such as an emulator.
	APIURL string
	// CAFile names a PEM file of CA certificates trusted besides the
	// system's. Empty means SETHEALTH_CA_FILE, else none.
	CAFile string
	// ConnectTimeout bounds the TCP and TLS connect. 0 means 5 s.
	ConnectTimeout time.Duration
	// AttemptTimeout bounds one HTTP attempt, body included. 0 means 15 s.
	AttemptTimeout time.Duration
	// Deadline bounds one call, retries and waits included. 0 means 30 s.
	// A context deadline passed to GetTokenContext applies as well.
	Deadline time.Duration
	// MaxAttempts is the number of attempts per call, the first included;
	// 1 disables retries. 0 means 3.
	MaxAttempts int
	// RetryBaseDelay is the backoff before the second attempt. It doubles
	// per attempt up to RetryMaxDelay, and each wait is drawn at random
	// between zero and that value. A Retry-After from the server replaces
	// it. 0 means 200 ms.
	RetryBaseDelay time.Duration
	// RetryMaxDelay is the maximum backoff. 0 means 5 s. It must not be
	// below RetryBaseDelay, default included.
	RetryMaxDelay time.Duration
	// DisableCache turns the token cache off, so that every call mints a
	// new token.
	DisableCache bool
	// CacheCapacity is the maximum number of cached tokens. 0 means 1024.
	CacheCapacity int
	// CacheMinRemainingFraction is the share of its lifetime that a cached
	// token must have left to be handed out, from 0 to 1. 0 means 0.5; a
	// negative finite value means none, so that only CacheMinRemaining
	// applies. Values above 1, NaN and infinities are ErrInvalidConfig.
	CacheMinRemainingFraction float64
	// CacheMinRemaining is the time that a cached token must have left to be
	// handed out. 0 means 30 s; a negative value means none.
	CacheMinRemaining time.Duration
	// CacheAssumedLifetime is the lifetime assumed for a token when neither
	// its exp claim nor the request states one. 0 means 10 minutes.
	CacheAssumedLifetime time.Duration
	// UserAgentSuffix is appended to the User-Agent after "go/<version>",
	// such as "myapp/2.1".
	UserAgentSuffix string
}

// String describes the configuration without the secret.
func (c Config) String() string {
	return fmt.Sprintf("sethealth.Config{Key: %q, Secret: %s, APIURL: %q, CAFile: %q, "+
		"ConnectTimeout: %v, AttemptTimeout: %v, Deadline: %v, "+
		"MaxAttempts: %d, RetryBaseDelay: %v, RetryMaxDelay: %v, "+
		"DisableCache: %t, CacheCapacity: %d, CacheMinRemainingFraction: %g, CacheMinRemaining: %v, "+
		"CacheAssumedLifetime: %v, UserAgentSuffix: %q}",
		c.Key, redacted(c.Secret), c.APIURL, c.CAFile,
		c.ConnectTimeout, c.AttemptTimeout, c.Deadline,
		c.MaxAttempts, c.RetryBaseDelay, c.RetryMaxDelay,
		c.DisableCache, c.CacheCapacity, c.CacheMinRemainingFraction, c.CacheMinRemaining,
		c.CacheAssumedLifetime, c.UserAgentSuffix)
}

// GoString is String, so that %#v does not print the secret either.
func (c Config) GoString() string {
	return c.String()
}

func redacted(secret string) string {
	if secret == "" {
		return `""`
	}
	return "<redacted>"
}

// goUserAgent returns the product token of this Go runtime, such as "go/1.26.8".
func goUserAgent() string {
	return "go/" + strings.TrimPrefix(runtime.Version(), "go")
}

// clientOptions is a C sethealth_client_options and the C strings it owns.
type clientOptions struct {
	c C.sethealth_client_options
}

// toC converts the configuration; the caller calls free on the result once
// the C call has returned. With explicitCredentials, an empty Key or Secret
// is passed as "" rather than NULL, so the core rejects it instead of
// reading the environment.
func (c Config) toC(explicitCredentials bool) (*clientOptions, error) {
	options := &clientOptions{}
	options.c.struct_size = C.uint32_t(unsafe.Sizeof(options.c))
	if err := options.setStrings(c, explicitCredentials); err != nil {
		options.free()
		return nil, err
	}
	if err := options.setNumbers(c); err != nil {
		options.free()
		return nil, err
	}
	options.c.disable_cache = C.bool(c.DisableCache)
	return options, nil
}

func (o *clientOptions) setStrings(c Config, explicitCredentials bool) error {
	suffix := strings.TrimSpace(goUserAgent() + " " + c.UserAgentSuffix)
	fields := []struct {
		name        string
		value       string
		target      **C.char
		nullIfEmpty bool
	}{
		{"the service-account key", c.Key, &o.c.key, !explicitCredentials},
		{"the service-account secret", c.Secret, &o.c.secret, !explicitCredentials},
		{"Config.APIURL", c.APIURL, &o.c.api_url, true},
		{"Config.CAFile", c.CAFile, &o.c.ca_file, true},
		{"Config.UserAgentSuffix", suffix, &o.c.user_agent_suffix, true},
	}
	for _, field := range fields {
		text, err := cString(field.name, field.value, field.nullIfEmpty)
		if err != nil {
			return err
		}
		*field.target = text
	}
	return nil
}

func (o *clientOptions) setNumbers(c Config) error {
	durations := []struct {
		name   string
		value  time.Duration
		target *C.uint64_t
	}{
		{"Config.ConnectTimeout", c.ConnectTimeout, &o.c.connect_timeout_ms},
		{"Config.AttemptTimeout", c.AttemptTimeout, &o.c.attempt_timeout_ms},
		{"Config.Deadline", c.Deadline, &o.c.deadline_ms},
		{"Config.RetryBaseDelay", c.RetryBaseDelay, &o.c.retry_base_delay_ms},
		{"Config.RetryMaxDelay", c.RetryMaxDelay, &o.c.retry_max_delay_ms},
		{"Config.CacheAssumedLifetime", c.CacheAssumedLifetime, &o.c.cache_assumed_lifetime_ms},
	}
	for _, field := range durations {
		if field.value < 0 {
			return newError(KindInvalidConfig, fmt.Sprintf(
				"%s is %v; pass a positive duration, or 0 for the default", field.name, field.value))
		}
		*field.target = C.uint64_t(milliseconds(field.value))
	}

	counts := []struct {
		name   string
		value  int
		target *C.uint32_t
	}{
		{"Config.MaxAttempts", c.MaxAttempts, &o.c.max_attempts},
		{"Config.CacheCapacity", c.CacheCapacity, &o.c.cache_capacity},
	}
	for _, field := range counts {
		if field.value < 0 || uint64(field.value) > math.MaxUint32 {
			return newError(KindInvalidConfig, fmt.Sprintf(
				"%s is %d; pass a positive number, or 0 for the default", field.name, field.value))
		}
		*field.target = C.uint32_t(field.value)
	}

	// In C as in Config, 0 means the default and a negative value means none.
	o.c.cache_min_remaining_fraction = C.double(c.CacheMinRemainingFraction)
	if c.CacheMinRemaining < 0 {
		o.c.cache_min_remaining_ms = -1
	} else {
		o.c.cache_min_remaining_ms = C.int64_t(milliseconds(c.CacheMinRemaining))
	}
	return nil
}

// free releases the C strings, zeroing the secret first.
func (o *clientOptions) free() {
	freeSecretCString(o.c.secret)
	for _, text := range []*C.char{o.c.key, o.c.api_url, o.c.ca_file, o.c.user_agent_suffix} {
		freeCString(text)
	}
	o.c = C.sethealth_client_options{}
}
