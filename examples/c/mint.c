// Mints one access token from the environment and prints its metadata.
//
//   SETHEALTH_KEY=... SETHEALTH_SECRET=... ./mint [USER_ID]
//
// SETHEALTH_API_URL and SETHEALTH_CA_FILE are honoured when set. The token
// itself is printed only in part: it is a credential for the browser SDK.
// The exit status is 0 on success and the sethealth_status code on failure.

#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sethealth.h"

static void print_time(const char *label, int64_t unix_ms) {
    if (unix_ms == 0) {
        printf("%-11s unknown\n", label);
        return;
    }
    time_t seconds = (time_t)(unix_ms / 1000);
    struct tm utc;
    char text[32];
    gmtime_r(&seconds, &utc);
    strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
    printf("%-11s %s\n", label, text);
}

static const char *expiry_source_name(sethealth_expiry_source source) {
    switch (source) {
    case SETHEALTH_EXPIRY_CLAIM:
        return "the token's exp claim";
    case SETHEALTH_EXPIRY_REQUESTED:
        return "the requested lifetime";
    default:
        return "unknown";
    }
}

int main(int argc, char **argv) {
    if (sethealth_abi_version() != SETHEALTH_ABI_VERSION) {
        fprintf(stderr, "mint: libsethealth has ABI version %" PRIu32 ", this program was built for %d\n",
                sethealth_abi_version(), SETHEALTH_ABI_VERSION);
        return 1;
    }

    sethealth_client *client = NULL;
    sethealth_error *err = NULL;
    sethealth_status status = sethealth_client_new_from_env(&client, &err);
    if (status != SETHEALTH_OK) {
        fprintf(stderr, "mint: %s: %s\n", sethealth_status_name(status), sethealth_error_message(err));
        sethealth_error_free(err);
        return (int)status;
    }

    sethealth_token_options options = {.struct_size = sizeof options};
    options.user_id = argc > 1 ? argv[1] : "c-example-user";
    options.expires_in_ms = 30 * 60 * 1000;

    sethealth_token *token = NULL;
    status = sethealth_client_get_token(client, &options, NULL, &token, &err);
    if (status != SETHEALTH_OK) {
        fprintf(stderr, "mint: %s (HTTP %u): %s\n", sethealth_status_name(status),
                (unsigned)sethealth_error_http_status(err), sethealth_error_message(err));
        sethealth_error_free(err);
        sethealth_client_free(client);
        return (int)status;
    }

    size_t length = sethealth_token_length(token);
    printf("C example: minted a token with libsethealth %s\n", sethealth_version());
    printf("%-11s %s\n", "key", sethealth_client_key(client));
    printf("%-11s %s\n", "user id", options.user_id);
    printf("%-11s %.12s... (%zu bytes)\n", "token", sethealth_token_value(token), length);
    print_time("issued at", sethealth_token_issued_at_ms(token));
    print_time("expires at", sethealth_token_expires_at_ms(token));
    printf("%-11s %s\n", "expiry from", expiry_source_name(sethealth_token_expiry_source(token)));

    sethealth_token_free(token);
    sethealth_client_free(client);
    return 0;
}
