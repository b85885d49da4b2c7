//go:build cgo

package sethealth

import "context"

// New creates a client from the environment: SETHEALTH_KEY and
// SETHEALTH_SECRET, and SETHEALTH_API_URL and SETHEALTH_CA_FILE when set,
// read now.
//
// New cannot return an error, as in the old client. When the client cannot
// be created, for example because a variable is missing, every call on it
// returns that error, which matches ErrCredentials and
// ErrMissingCredentials and names the variable. Use [NewWithConfig] to get
// the error at once.
//
// Go's os.Setenv changes the same environment, so do not call it from
// another goroutine while New runs.
func New() *Client {
	return newClient(Config{}, false)
}

// NewWithCredentials creates a client for the given service account. The
// API URL and CA file still come from SETHEALTH_API_URL and
// SETHEALTH_CA_FILE when set. An empty key or secret makes every call
// return an error matching ErrCredentials and ErrMissingCredentials.
func NewWithCredentials(key, secret string) *Client {
	return newClient(Config{Key: key, Secret: secret}, true)
}

// GetToken returns an access token with the default options, as
// GetTokenWithOptions(GetTokenOptions{}).
func (c *Client) GetToken() (GetTokenResponse, error) {
	return c.GetTokenWithOptions(GetTokenOptions{})
}

// GetTokenWithOptions returns an access token for the given options, as
// [Client.GetTokenContext] with context.Background(): the call is bounded
// by the client's deadline (30 s by default) but cannot be cancelled.
func (c *Client) GetTokenWithOptions(opts GetTokenOptions) (GetTokenResponse, error) {
	return c.GetTokenContext(context.Background(), opts)
}

// Names from an earlier version of the old client, kept so that programs
// written against it compile unchanged.
type (
	// TokenOptions is GetTokenOptions.
	TokenOptions = GetTokenOptions
	// TokenResponse is GetTokenResponse.
	TokenResponse = GetTokenResponse
)

// ErrorLogin is ErrCredentials, under its name in an earlier version of the
// old client.
var ErrorLogin = ErrCredentials
