//go:build cgo

package sethealth

// #include "sethealth.h"
import "C"

import (
	"context"
	"errors"
	"time"
)

// Kind classifies a failure. The values are the status codes of the C API
// and the error kinds of the Rust core, and are never renumbered.
type Kind uint32

// The kinds of failure, in code order.
const (
	KindMissingCredentials Kind = 1  // the key or the secret is absent or empty
	KindInvalidArgument    Kind = 2  // an option is invalid, such as a negative ExpiresIn
	KindInvalidConfig      Kind = 3  // a bad API URL, a plain-http remote host, an unreadable CA file
	KindRejected           Kind = 4  // the server rejected the request (400, 401, 403, 404, 415)
	KindRateLimited        Kind = 5  // the server responded with 429; see [Error.RetryAfter]
	KindServer             Kind = 6  // the server failed (5xx) or timed out the request (408)
	KindTimeout            Kind = 7  // a connect, attempt or overall deadline passed
	KindNetwork            Kind = 8  // the connection was refused, reset or closed early
	KindTLS                Kind = 9  // the TLS handshake failed, usually an untrusted certificate
	KindBadResponse        Kind = 10 // not JSON, no token, too large, or a redirect
	KindCancelled          Kind = 11 // the context was cancelled or its deadline passed
	KindInternal           Kind = 12 // a bug in sethealth-core
)

// String returns the kind's snake_case name, such as "rate_limited".
func (k Kind) String() string {
	return C.GoString(C.sethealth_status_name(C.sethealth_status(k)))
}

// Sentinel errors, one per kind, for errors.Is. Every error this package
// returns is an [*Error]; these values only classify it.
var (
	// ErrCredentials matches every rejection by the server (KindRejected) and
	// missing credentials (KindMissingCredentials). The old client returned
	// it for any failed status. This package keeps the name for those two
	// kinds and classifies the rest with the sentinels below.
	ErrCredentials = errors.New("sethealth: invalid credentials")

	ErrMissingCredentials = errors.New("sethealth: missing credentials")
	ErrInvalidArgument    = errors.New("sethealth: invalid argument")
	ErrInvalidConfig      = errors.New("sethealth: invalid configuration")
	ErrRateLimited        = errors.New("sethealth: rate limited")
	ErrServer             = errors.New("sethealth: server error")
	ErrTimeout            = errors.New("sethealth: timeout")
	ErrNetwork            = errors.New("sethealth: network error")
	ErrTLS                = errors.New("sethealth: TLS error")
	ErrBadResponse        = errors.New("sethealth: bad response")
	ErrInternal           = errors.New("sethealth: internal error")

	// ErrClosed matches the error of a call on a [Client] after Close. Its
	// kind is KindInvalidArgument.
	ErrClosed = errors.New("sethealth: client is closed")
)

var sentinels = map[Kind]error{
	KindMissingCredentials: ErrMissingCredentials,
	KindInvalidArgument:    ErrInvalidArgument,
	KindInvalidConfig:      ErrInvalidConfig,
	KindRateLimited:        ErrRateLimited,
	KindServer:             ErrServer,
	KindTimeout:            ErrTimeout,
	KindNetwork:            ErrNetwork,
	KindTLS:                ErrTLS,
	KindBadResponse:        ErrBadResponse,
	KindInternal:           ErrInternal,
}

// Error is the failure of a call. Match its class with errors.Is and the
// sentinels above, or read its fields after errors.As:
//
//	var failure *sethealth.Error
//	if errors.As(err, &failure) && failure.Retryable() {
//		time.Sleep(failure.RetryAfter)
//	}
//
// The message never contains the service account's secret.
type Error struct {
	// Kind classifies the failure.
	Kind Kind
	// StatusCode is the HTTP status of the response that caused the failure,
	// or 0 when there was no response.
	StatusCode int
	// Message states what failed, on which value, and what to do next, without
	// the "sethealth: " prefix that Error adds.
	Message string
	// RetryAfter is the delay the server asked for in Retry-After, or 0.
	RetryAfter time.Duration
	// Attempts is the number of HTTP requests made, 0 when the failure came
	// before any was sent.
	Attempts int

	unsetCredential bool
	closed          bool
	cause           error
}

// Error returns the message with the "sethealth: " prefix.
func (e *Error) Error() string {
	return "sethealth: " + e.Message
}

// Retryable reports whether the same call may succeed later: rate limiting,
// server errors, timeouts and network failures. The client has already
// retried these within its retry policy and deadline.
func (e *Error) Retryable() bool {
	switch e.Kind {
	case KindRateLimited, KindServer, KindTimeout, KindNetwork:
		return true
	}
	return false
}

// Is reports whether target is the sentinel of this error's kind, or
// ErrCredentials for a rejection or missing credentials, or ErrClosed for a
// call on a closed client.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrCredentials:
		return e.Kind == KindRejected || e.Kind == KindMissingCredentials
	case ErrClosed:
		return e.closed
	}
	sentinel, ok := sentinels[e.Kind]
	return ok && target == sentinel
}

// Unwrap returns the context's error for a cancelled call, so that
// errors.Is(err, context.Canceled) and errors.Is(err,
// context.DeadlineExceeded) work, and nil otherwise.
func (e *Error) Unwrap() error {
	return e.cause
}

func newError(kind Kind, message string) *Error {
	return &Error{Kind: kind, Message: message}
}

// takeError copies a C error into an *Error and frees it. cerr may be NULL,
// for example when the C call failed before it could allocate one.
func takeError(status C.sethealth_status, cerr *C.sethealth_error) *Error {
	if cerr == nil {
		return newError(Kind(status), "the call failed with status "+Kind(status).String())
	}
	defer C.sethealth_error_free(cerr)

	failure := &Error{
		Kind:            Kind(C.sethealth_error_code(cerr)),
		StatusCode:      int(C.sethealth_error_http_status(cerr)),
		Message:         C.GoString(C.sethealth_error_message(cerr)),
		Attempts:        int(C.sethealth_error_attempts(cerr)),
		unsetCredential: bool(C.sethealth_error_is_unset_credential(cerr)),
	}
	retryAfter := uint64(C.sethealth_error_retry_after_ms(cerr))
	if retryAfter > uint64(time.Duration(1<<62)/time.Millisecond) {
		retryAfter = uint64(time.Duration(1<<62) / time.Millisecond)
	}
	failure.RetryAfter = time.Duration(retryAfter) * time.Millisecond
	return failure
}

// cancelledError returns the error of a call that ctx ended.
func cancelledError(ctx context.Context) *Error {
	return &Error{
		Kind:    KindCancelled,
		Message: "the token request was cancelled: " + context.Cause(ctx).Error(),
		cause:   ctx.Err(),
	}
}
