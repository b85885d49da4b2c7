// Command legacy is a program written for the old Go client,
// github.com/sethealth/sethealth-go, with only its import path changed: it
// shows that the package is a drop-in replacement.
//
//	SETHEALTH_KEY=... SETHEALTH_SECRET=... go run ./legacy
package main

import (
	"fmt"
	"log"
	"time"

	"github.com/sethealth/sethealth-core/bindings/go"
)

func main() {
	// Create a new sethealth client with the service account credentials
	client := sethealth.New()

	// Ask for a short-living access token
	token, err := client.GetToken()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("Go legacy example: minted a token with GetToken()")
	fmt.Printf("  token %.12s... (%d bytes)\n", token.Token, len(token.Token))

	// The same with options, as in the old client's GetTokenWithOptions
	token, err = client.GetTokenWithOptions(sethealth.GetTokenOptions{
		UserID:    "demo-user-go",
		ExpiresIn: 30 * time.Minute,
		TestMode:  true,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("Go legacy example: minted a token with GetTokenWithOptions()")
	fmt.Printf("  token %.12s... (%d bytes)\n", token.Token, len(token.Token))
}
