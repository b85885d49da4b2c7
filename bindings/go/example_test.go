//go:build cgo

package sethealth_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	sethealth "github.com/sethealth/sethealth-core/bindings/go"
)

// The test binary's TestMain points SETHEALTH_* at a local emulator, so
// these examples mint real tokens.

func ExampleNew() {
	client := sethealth.New() // reads SETHEALTH_KEY and SETHEALTH_SECRET
	defer client.Close()

	response, err := client.GetTokenWithOptions(sethealth.GetTokenOptions{
		UserID:    "patient-42",
		ExpiresIn: 30 * time.Minute,
	})
	if err != nil {
		fmt.Println("no token:", err)
		return
	}
	fmt.Println("JWT:", strings.Count(response.Token, ".") == 2)
	fmt.Println("lifetime:", response.ExpiresAt.Sub(response.IssuedAt).Round(time.Minute))
	// Output:
	// JWT: true
	// lifetime: 30m0s
}

func ExampleClient_GetTokenContext() {
	client, err := sethealth.NewWithConfig(sethealth.Config{MaxAttempts: 2})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer client.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	response, err := client.GetTokenContext(ctx, sethealth.GetTokenOptions{TestMode: true})
	fmt.Println(err == nil && response.Token != "")
	// Output: true
}

func ExampleError() {
	client := sethealth.NewWithCredentials("sa_example", "")
	_, err := client.GetToken()

	var failure *sethealth.Error
	if errors.As(err, &failure) {
		fmt.Println("kind:", failure.Kind)
		fmt.Println("retryable:", failure.Retryable())
	}
	fmt.Println("credentials error:", errors.Is(err, sethealth.ErrCredentials))
	// Output:
	// kind: missing_credentials
	// retryable: false
	// credentials error: true
}
