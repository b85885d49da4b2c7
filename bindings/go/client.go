//go:build cgo

package sethealth

// #include "sethealth.h"
import "C"

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
)

// Client mints access tokens for one service account. It holds one HTTPS
// connection pool and one token cache in the Rust core, so create one per
// service account and share it: it is safe for concurrent use by any
// number of goroutines. Each call in flight holds one OS thread, and at
// most [MaxConcurrentCalls] run at once.
//
// Call Close when done with it. A client that is garbage collected without
// Close is freed by a cleanup, but only at some later collection.
type Client struct {
	mu      sync.RWMutex
	handle  *clientHandle // nil when construction failed and after Close
	err     error         // the construction error, an *Error returned by every call
	key     string
	apiURL  string
	cleanup runtime.Cleanup
}

// clientHandle owns the C client. It is separate from Client so that the
// cleanup registered on a Client can free it without keeping the Client
// reachable.
type clientHandle struct {
	ptr *C.sethealth_client
}

// NewWithConfig creates a client from explicit settings; zero fields fall
// back to the environment and the defaults (see [Config]).
//
// It returns an [*Error] matching ErrMissingCredentials (and ErrCredentials)
// when the key or the secret is missing, ErrInvalidArgument for a control
// character in them, or ErrInvalidConfig for an invalid setting.
func NewWithConfig(config Config) (*Client, error) {
	client := newClient(config, false)
	if client.err != nil {
		return nil, client.err
	}
	return client, nil
}

// newClient creates a client, or a client that returns the construction
// error from every call. With explicitCredentials, an empty Key or Secret
// is passed on as empty, and rejected, instead of meaning "use the
// environment".
func newClient(config Config, explicitCredentials bool) *Client {
	options, err := config.toC(explicitCredentials)
	if err != nil {
		return &Client{err: err}
	}
	defer options.free()

	var ptr *C.sethealth_client
	var cerr *C.sethealth_error
	if status := C.sethealth_client_new_with_options(&options.c, &ptr, &cerr); status != C.SETHEALTH_OK {
		return &Client{err: takeError(status, cerr)}
	}

	handle := &clientHandle{ptr: ptr}
	client := &Client{
		handle: handle,
		key:    C.GoString(C.sethealth_client_key(ptr)),
		apiURL: C.GoString(C.sethealth_client_api_url(ptr)),
	}
	client.cleanup = runtime.AddCleanup(client, freeUnclosed, handle)
	return client
}

// unclosedFreed counts the clients freed by their cleanup, for the tests.
var unclosedFreed atomic.Int64

// freeUnclosed is the cleanup of a Client that was not closed. It runs
// after the Client became unreachable, so no call can be using the handle.
func freeUnclosed(handle *clientHandle) {
	C.sethealth_client_free(handle.ptr)
	handle.ptr = nil
	unclosedFreed.Add(1)
}

// Key returns the service account's key (its id, not secret), or "" when
// the client could not be created.
func (c *Client) Key() string {
	return c.key
}

// GetTokenContext returns an access token: a cached one with enough of its
// lifetime left, else a new one from the server. Concurrent calls with
// equal options share one request.
//
// The call returns early when ctx is cancelled or its deadline passes,
// with an [*Error] of KindCancelled that errors.Is matches to ctx.Err().
// The client's own Deadline (30 s by default) bounds the call as well.
func (c *Client) GetTokenContext(ctx context.Context, opts GetTokenOptions) (GetTokenResponse, error) {
	if ctx.Err() != nil {
		return GetTokenResponse{}, cancelledError(ctx)
	}
	options, err := opts.toC()
	if err != nil {
		return GetTokenResponse{}, err
	}
	defer options.free()

	if err := acquireSlot(ctx); err != nil {
		return GetTokenResponse{}, err
	}
	defer releaseSlot()

	c.mu.RLock()
	defer c.mu.RUnlock()
	if err := c.usable(); err != nil {
		return GetTokenResponse{}, err
	}
	watch, err := watchContext(ctx)
	if err != nil {
		return GetTokenResponse{}, err
	}

	var token *C.sethealth_token
	var cerr *C.sethealth_error
	status := C.sethealth_client_get_token(c.handle.ptr, &options.c, watch.cHandle(), &token, &cerr)
	runtime.KeepAlive(c)
	watch.stop()

	if status != C.SETHEALTH_OK {
		failure := takeError(status, cerr)
		if failure.Kind == KindCancelled && ctx.Err() != nil {
			return GetTokenResponse{}, cancelledError(ctx)
		}
		return GetTokenResponse{}, failure
	}
	return takeToken(token), nil
}

// Invalidate drops the cached token for these options, such as one the
// browser reported as rejected, so that the next call mints a new one.
// opts.Fresh is ignored.
func (c *Client) Invalidate(opts GetTokenOptions) error {
	options, err := opts.toC()
	if err != nil {
		return err
	}
	defer options.free()

	c.mu.RLock()
	defer c.mu.RUnlock()
	if err := c.usable(); err != nil {
		return err
	}
	var cerr *C.sethealth_error
	status := C.sethealth_client_invalidate(c.handle.ptr, &options.c, &cerr)
	runtime.KeepAlive(c)
	if status != C.SETHEALTH_OK {
		return takeError(status, cerr)
	}
	return nil
}

// ClearCache drops every cached token of this client. It does nothing on a
// closed client.
func (c *Client) ClearCache() {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.handle != nil {
		C.sethealth_client_clear_cache(c.handle.ptr)
		runtime.KeepAlive(c)
	}
}

// Close frees the client's connection pool and cache. It waits for calls in
// flight to return, and later calls return an error matching ErrClosed.
// Close is idempotent and always returns nil.
func (c *Client) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.handle == nil {
		return nil
	}
	c.cleanup.Stop()
	C.sethealth_client_free(c.handle.ptr)
	c.handle.ptr = nil
	c.handle = nil
	return nil
}

// usable returns the construction error, or an ErrClosed error after Close;
// the caller holds c.mu.
func (c *Client) usable() error {
	if c.err != nil {
		return c.err
	}
	if c.handle == nil {
		return &Error{
			Kind:    KindInvalidArgument,
			Message: "the client is closed; create a new one with New or NewWithConfig",
			closed:  true,
		}
	}
	return nil
}

// String describes the client by its key and API URL; it never includes
// the secret, which the Go side does not keep.
func (c *Client) String() string {
	if c == nil {
		return "sethealth.Client(nil)"
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	switch {
	case c.err != nil:
		return fmt.Sprintf("sethealth.Client{unusable: %q}", c.err)
	case c.handle == nil:
		return fmt.Sprintf("sethealth.Client{Key: %q, APIURL: %q, closed}", c.key, c.apiURL)
	}
	return fmt.Sprintf("sethealth.Client{Key: %q, APIURL: %q}", c.key, c.apiURL)
}

// GoString is String, so that %#v shows the same safe description.
func (c *Client) GoString() string {
	return c.String()
}
