//go:build cgo

package sethealth

// #include "sethealth.h"
import "C"

import (
	"fmt"
	"time"
	"unsafe"
)

// GetTokenOptions are the options of one token request. The zero value
// requests a live token with the server's default lifetime and no user id.
type GetTokenOptions struct {
	// UserID is the end user the token is minted for; empty sends no user id.
	UserID string
	// ExpiresIn is the requested lifetime; 0 lets the server choose (some
	// hours) and a negative value is ErrInvalidArgument. It is sent with
	// millisecond precision: a positive value below 1 ms requests 1 ms.
	ExpiresIn time.Duration
	// TestMode requests a test-mode token.
	TestMode bool
	// Fresh skips the client's cache and replaces its entry with the new token.
	Fresh bool
}

// GetTokenResponse is a minted access token. Only Token is serialised to
// JSON, as by the old client, so that a response passed through
// json.Marshal to a browser keeps its shape.
type GetTokenResponse struct {
	// Token is the access token to hand to the browser SDK.
	Token string `json:"token"`
	// ExpiresAt is when the token expires, from its exp claim or the
	// requested lifetime; the zero time when nothing states it.
	ExpiresAt time.Time `json:"-"`
	// IssuedAt is when the request for the token was sent. A token from the
	// cache keeps the time of its original request.
	IssuedAt time.Time `json:"-"`
}

// tokenOptions is a C sethealth_token_options and the C string it owns.
type tokenOptions struct {
	c C.sethealth_token_options
}

// toC converts the options; the caller calls free on the result once the C
// call has returned.
func (o GetTokenOptions) toC() (*tokenOptions, error) {
	if o.ExpiresIn < 0 {
		return nil, newError(KindInvalidArgument, fmt.Sprintf(
			"GetTokenOptions.ExpiresIn is %v; pass 0 for the server's default lifetime or a positive duration",
			o.ExpiresIn))
	}
	userID, err := cString("GetTokenOptions.UserID", o.UserID, true)
	if err != nil {
		return nil, err
	}

	options := &tokenOptions{}
	options.c.struct_size = C.uint32_t(unsafe.Sizeof(options.c))
	options.c.user_id = userID
	options.c.expires_in_ms = C.int64_t(milliseconds(o.ExpiresIn))
	options.c.test_mode = C.bool(o.TestMode)
	options.c.fresh = C.bool(o.Fresh)
	return options, nil
}

func (o *tokenOptions) free() {
	freeCString(o.c.user_id)
	o.c.user_id = nil
}

// milliseconds converts a non-negative duration to whole milliseconds,
// rounding a positive value below 1 ms up to 1 ms so that it does not turn
// into 0, which the C API reads as "default".
func milliseconds(duration time.Duration) int64 {
	if duration > 0 && duration < time.Millisecond {
		return 1
	}
	return duration.Milliseconds()
}

// takeToken copies a C token into a response and frees it.
func takeToken(token *C.sethealth_token) GetTokenResponse {
	defer C.sethealth_token_free(token)
	response := GetTokenResponse{
		Token:    C.GoStringN(C.sethealth_token_value(token), C.int(C.sethealth_token_length(token))),
		IssuedAt: time.UnixMilli(int64(C.sethealth_token_issued_at_ms(token))),
	}
	if expires := int64(C.sethealth_token_expires_at_ms(token)); expires != 0 {
		response.ExpiresAt = time.UnixMilli(expires)
	}
	return response
}
