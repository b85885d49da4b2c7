// Command context mints a token with the additions of this package: an
// explicit configuration, a context deadline, typed errors and the token's
// expiry.
//
//	SETHEALTH_KEY=... SETHEALTH_SECRET=... go run ./context
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	sethealth "github.com/sethealth/sethealth-core/bindings/go"
)

func main() {
	// Zero fields fall back to SETHEALTH_* and the defaults.
	client, err := sethealth.NewWithConfig(sethealth.Config{
		AttemptTimeout: 5 * time.Second,
		Deadline:       10 * time.Second,
		RetryMaxDelay:  2 * time.Second, // shorter backoff, to fit the 10 s deadline
		// Hand out a cached token only while half its lifetime and 5 minutes are left.
		CacheMinRemaining: 5 * time.Minute,
		UserAgentSuffix:   "context-example/1",
	})
	if err != nil {
		log.Fatal(err) // names the missing variable, never the secret
	}
	defer client.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	response, err := client.GetTokenContext(ctx, sethealth.GetTokenOptions{
		UserID:    "demo-user-go",
		ExpiresIn: 30 * time.Minute,
	})
	var failure *sethealth.Error
	switch {
	case errors.Is(err, sethealth.ErrCredentials):
		log.Fatalf("check SETHEALTH_KEY and SETHEALTH_SECRET: %v", err)
	case errors.As(err, &failure) && failure.Retryable():
		log.Fatalf("try again after %v: %v", failure.RetryAfter, err)
	case err != nil:
		log.Fatal(err)
	}

	fmt.Printf("Go context example: minted a token for %s with libsethealth %s\n",
		client.Key(), sethealth.LibraryVersion())
	fmt.Printf("  token      %.12s... (%d bytes)\n", response.Token, len(response.Token))
	fmt.Printf("  issued at  %s\n", response.IssuedAt.UTC().Format(time.RFC3339))
	fmt.Printf("  expires at %s\n", response.ExpiresAt.UTC().Format(time.RFC3339))
}
