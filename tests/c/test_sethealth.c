// Tests of the C API against real sethealth-emulator processes on loopback.
//
//   test_sethealth [EMULATOR_BINARY]        run every test
//   test_sethealth --leak-one-token [BIN]   mint one token and never free it
//
// The binary defaults to $SETHEALTH_EMULATOR_BIN, else
// target/debug/sethealth-emulator. The second mode exists to prove that the
// valgrind run in `make test-c` still fails on a real leak.

#define _GNU_SOURCE

#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "emulator.h"
#include "harness.h"
#include "sethealth.h"

bool harness_test_failed;
int harness_passed;
int harness_failed;

#define KEY "sa_c_test_0001"
// Distinctive, so that a test can prove it never appears in a message.
#define SECRET "c-abi-SECRET-7f3a91e2="
#define WRONG_SECRET "c-abi-WRONG-SECRET-5d20c4b8="

static emulator http_emulator;
static emulator https_emulator;

// ---------------------------------------------------------------- helpers

static double now_seconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

static void sleep_ms(long milliseconds) {
    struct timespec delay = {.tv_sec = milliseconds / 1000, .tv_nsec = (milliseconds % 1000) * 1000000L};
    nanosleep(&delay, NULL);
}

static bool contains(const char *text, const char *part) {
    return text != NULL && strstr(text, part) != NULL;
}

static void check_no_secret(const char *text) {
    CHECK(!contains(text, SECRET), "the secret appears in \"%s\"", text);
    CHECK(!contains(text, WRONG_SECRET), "the wrong secret appears in \"%s\"", text);
}

static void unset_environment(void) {
    unsetenv("SETHEALTH_KEY");
    unsetenv("SETHEALTH_SECRET");
    unsetenv("SETHEALTH_API_URL");
    unsetenv("SETHEALTH_CA_FILE");
}

static sethealth_client_options client_options(const emulator *emu) {
    sethealth_client_options options = {.struct_size = sizeof options};
    options.key = KEY;
    options.secret = SECRET;
    options.api_url = emu->url;
    options.ca_file = emu->https ? emu->ca_file : NULL;
    return options;
}

// Creates a client for an emulator with one attempt per call, so that a
// fault is seen at once instead of being retried. Returns NULL on failure.
static sethealth_client *single_attempt_client(const emulator *emu, uint64_t attempt_timeout_ms,
                                               uint64_t deadline_ms) {
    sethealth_client_options options = client_options(emu);
    options.max_attempts = 1;
    options.attempt_timeout_ms = attempt_timeout_ms;
    options.deadline_ms = deadline_ms;
    sethealth_client *client = NULL;
    sethealth_error *err = NULL;
    sethealth_status status = sethealth_client_new_with_options(&options, &client, &err);
    CHECK(status == SETHEALTH_OK, "a client for %s, got %s: %s", emu->url, sethealth_status_name(status),
          sethealth_error_message(err));
    sethealth_error_free(err);
    return client;
}

static sethealth_token_options token_options(const char *user_id) {
    sethealth_token_options options = {.struct_size = sizeof options};
    options.user_id = user_id;
    return options;
}

// Clears the plain-HTTP emulator's counters, recorded requests and faults.
static void reset_emulator(void) {
    char response[256];
    int status = emulator_admin(&http_emulator, "POST", "/_emulator/reset", NULL, response, sizeof response);
    CHECK(status == 200, "the emulator to reset, got %d: %s", status, response);
}

// Resets the plain-HTTP emulator and queues one fault for its next request.
static void queue_fault(const char *fault_json) {
    reset_emulator();
    char response[512];
    int status = emulator_admin(&http_emulator, "POST", "/_emulator/faults", fault_json, response, sizeof response);
    CHECK(status == 200, "the emulator to accept %s, got %d: %s", fault_json, status, response);
}

// Returns the integer member `name` of the plain-HTTP emulator's
// /_emulator/stats, or -1 when it cannot be read.
static long emulator_stat(const char *name) {
    char stats[1024];
    if (emulator_admin(&http_emulator, "GET", "/_emulator/stats", NULL, stats, sizeof stats) != 200) {
        return -1;
    }
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\":", name);
    const char *at = strstr(stats, pattern);
    return at != NULL ? strtol(at + strlen(pattern), NULL, 10) : -1;
}

static long tokens_issued(void) {
    return emulator_stat("tokens_issued");
}

// Returns the number of token requests the emulator received since its last reset.
static long requests_received(void) {
    return emulator_stat("requests");
}

// Decodes the base64url payload of a JWT into `out`; 0 on success.
static int jwt_payload(const char *token, char *out, size_t size) {
    const char *start = strchr(token, '.');
    const char *end = start != NULL ? strchr(start + 1, '.') : NULL;
    if (end == NULL) {
        return -1;
    }
    uint32_t bits = 0;
    int bit_count = 0;
    size_t length = 0;
    for (const char *at = start + 1; at < end; at++) {
        const char *alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        const char *found = strchr(alphabet, *at);
        if (found == NULL || *at == '\0') {
            return -1;
        }
        bits = (bits << 6) | (uint32_t)(found - alphabet);
        bit_count += 6;
        if (bit_count >= 8) {
            bit_count -= 8;
            if (length + 1 >= size) {
                return -1;
            }
            out[length++] = (char)((bits >> bit_count) & 0xff);
        }
    }
    out[length] = '\0';
    return 0;
}

static long long json_integer(const char *json, const char *name) {
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\":", name);
    const char *at = strstr(json, pattern);
    return at != NULL ? strtoll(at + strlen(pattern), NULL, 10) : -1;
}

// ---------------------------------------------------------------- tests

static void test_versions(void) {
    CHECK(sethealth_abi_version() == SETHEALTH_ABI_VERSION, "ABI %" PRIu32, sethealth_abi_version());
    CHECK(strlen(sethealth_version()) > 0, "a version string");
    CHECK(strcmp(sethealth_status_name(SETHEALTH_OK), "ok") == 0, "%s", sethealth_status_name(SETHEALTH_OK));
    CHECK(strcmp(sethealth_status_name(SETHEALTH_REJECTED), "rejected") == 0, "%s",
          sethealth_status_name(SETHEALTH_REJECTED));
    CHECK(strcmp(sethealth_status_name(SETHEALTH_INTERNAL), "internal") == 0, "%s",
          sethealth_status_name(SETHEALTH_INTERNAL));
    CHECK(strcmp(sethealth_status_name(999), "unknown") == 0, "%s", sethealth_status_name(999));
}

static void test_null_arguments(void) {
    sethealth_client *client = NULL;
    sethealth_token *token = NULL;
    sethealth_cancel *cancel = NULL;
    sethealth_error *err = NULL;
    struct {
        const char *call;
        sethealth_status status;
        const char *parameter;
    } cases[8];
    int count = 0;

    cases[count].call = "client_new(NULL key)";
    cases[count].status = sethealth_client_new(NULL, SECRET, &client, &err);
    cases[count++].parameter = "key is NULL";
    sethealth_error_free(err), err = NULL;

    cases[count].call = "client_new(NULL secret)";
    cases[count].status = sethealth_client_new(KEY, NULL, &client, &err);
    cases[count++].parameter = "secret is NULL";
    sethealth_error_free(err), err = NULL;

    cases[count].call = "client_new(NULL out)";
    cases[count].status = sethealth_client_new(KEY, SECRET, NULL, &err);
    cases[count++].parameter = "out is NULL";
    sethealth_error_free(err), err = NULL;

    cases[count].call = "client_new_from_env(NULL out)";
    cases[count].status = sethealth_client_new_from_env(NULL, &err);
    cases[count++].parameter = "out is NULL";
    sethealth_error_free(err), err = NULL;

    cases[count].call = "client_new_with_options(NULL, NULL out)";
    cases[count].status = sethealth_client_new_with_options(NULL, NULL, &err);
    cases[count++].parameter = "out is NULL";
    sethealth_error_free(err), err = NULL;

    cases[count].call = "client_get_token(NULL client)";
    cases[count].status = sethealth_client_get_token(NULL, NULL, NULL, &token, &err);
    cases[count++].parameter = "client is NULL";
    sethealth_error_free(err), err = NULL;

    cases[count].call = "client_invalidate(NULL client)";
    cases[count].status = sethealth_client_invalidate(NULL, NULL, &err);
    cases[count++].parameter = "client is NULL";
    sethealth_error_free(err), err = NULL;

    cases[count].call = "cancel_new(NULL out)";
    cases[count].status = sethealth_cancel_new(NULL, &err);
    cases[count++].parameter = "out is NULL";
    sethealth_error_free(err), err = NULL;

    for (int i = 0; i < count; i++) {
        CHECK(cases[i].status == SETHEALTH_INVALID_ARGUMENT, "%s: invalid_argument, got %s", cases[i].call,
              sethealth_status_name(cases[i].status));
    }
    CHECK(client == NULL, "no client created");
    CHECK(token == NULL, "no token created");
    CHECK(cancel == NULL, "no cancel handle created");

    // The message names the parameter; checked once per distinct call shape.
    CHECK(sethealth_client_new(NULL, SECRET, &client, &err) == SETHEALTH_INVALID_ARGUMENT, "status");
    CHECK(contains(sethealth_error_message(err), "key is NULL"), "message \"%s\"", sethealth_error_message(err));
    sethealth_error_free(err), err = NULL;
    CHECK(sethealth_client_get_token(NULL, NULL, NULL, &token, &err) == SETHEALTH_INVALID_ARGUMENT, "status");
    CHECK(contains(sethealth_error_message(err), "client is NULL"), "message \"%s\"", sethealth_error_message(err));
    sethealth_error_free(err), err = NULL;

    // Without an error slot only the status comes back.
    CHECK(sethealth_client_new(NULL, NULL, &client, NULL) == SETHEALTH_INVALID_ARGUMENT, "status without err");
    CHECK(sethealth_cancel_cancel(NULL) == SETHEALTH_INVALID_ARGUMENT, "cancel_cancel(NULL)");

    // Accessors accept NULL and return neutral values.
    CHECK(sethealth_error_code(NULL) == SETHEALTH_OK, "error_code(NULL)");
    CHECK(sethealth_error_http_status(NULL) == 0, "error_http_status(NULL)");
    CHECK(strcmp(sethealth_error_message(NULL), "") == 0, "error_message(NULL)");
    CHECK(sethealth_error_retry_after_ms(NULL) == 0, "error_retry_after_ms(NULL)");
    CHECK(sethealth_error_attempts(NULL) == 0, "error_attempts(NULL)");
    CHECK(!sethealth_error_is_retryable(NULL), "error_is_retryable(NULL)");
    CHECK(!sethealth_error_is_unset_credential(NULL), "error_is_unset_credential(NULL)");
    CHECK(sethealth_token_value(NULL) == NULL, "token_value(NULL)");
    CHECK(sethealth_token_length(NULL) == 0, "token_length(NULL)");
    CHECK(sethealth_token_expires_at_ms(NULL) == 0, "token_expires_at_ms(NULL)");
    CHECK(sethealth_token_issued_at_ms(NULL) == 0, "token_issued_at_ms(NULL)");
    CHECK(sethealth_token_expiry_source(NULL) == SETHEALTH_EXPIRY_UNKNOWN, "token_expiry_source(NULL)");
    CHECK(strcmp(sethealth_client_key(NULL), "") == 0, "client_key(NULL)");
    CHECK(strcmp(sethealth_client_api_url(NULL), "") == 0, "client_api_url(NULL)");
    CHECK(!sethealth_cancel_is_cancelled(NULL), "cancel_is_cancelled(NULL)");
    sethealth_client_clear_cache(NULL);

    // Every free function accepts NULL.
    sethealth_client_free(NULL);
    sethealth_token_free(NULL);
    sethealth_error_free(NULL);
    sethealth_cancel_free(NULL);
}

static void test_invalid_utf8(void) {
    sethealth_client *client = NULL;
    sethealth_error *err = NULL;

    sethealth_status status = sethealth_client_new("sa_\xff\xfe", SECRET, &client, &err);
    CHECK(status == SETHEALTH_INVALID_ARGUMENT, "got %s", sethealth_status_name(status));
    CHECK(contains(sethealth_error_message(err), "key is not valid UTF-8"), "\"%s\"", sethealth_error_message(err));
    sethealth_error_free(err), err = NULL;

    status = sethealth_client_new(KEY, "c-abi-SECRET-\xc3(", &client, &err);
    CHECK(status == SETHEALTH_INVALID_ARGUMENT, "got %s", sethealth_status_name(status));
    CHECK(contains(sethealth_error_message(err), "secret is not valid UTF-8"), "\"%s\"", sethealth_error_message(err));
    CHECK(!contains(sethealth_error_message(err), "c-abi-SECRET"), "\"%s\"", sethealth_error_message(err));
    sethealth_error_free(err), err = NULL;

    sethealth_client_options options = client_options(&http_emulator);
    options.api_url = "http://127.0.0.1:\x80/";
    status = sethealth_client_new_with_options(&options, &client, &err);
    CHECK(status == SETHEALTH_INVALID_ARGUMENT, "got %s", sethealth_status_name(status));
    CHECK(contains(sethealth_error_message(err), "options->api_url"), "\"%s\"", sethealth_error_message(err));
    sethealth_error_free(err), err = NULL;
    CHECK(client == NULL, "no client created");

    client = single_attempt_client(&http_emulator, 0, 0);
    sethealth_token_options token_opts = token_options("user-\xe2\x82");
    sethealth_token *token = NULL;
    status = sethealth_client_get_token(client, &token_opts, NULL, &token, &err);
    CHECK(status == SETHEALTH_INVALID_ARGUMENT, "got %s", sethealth_status_name(status));
    CHECK(contains(sethealth_error_message(err), "options->user_id"), "\"%s\"", sethealth_error_message(err));
    CHECK(token == NULL, "no token");
    sethealth_error_free(err);
    sethealth_client_free(client);
}

static void test_out_parameters_untouched_on_failure(void) {
    sethealth_client *const client_sentinel = (sethealth_client *)(uintptr_t)0x5e7;
    sethealth_token *const token_sentinel = (sethealth_token *)(uintptr_t)0x5e8;
    sethealth_client *client = client_sentinel;
    sethealth_error *err = NULL;

    CHECK(sethealth_client_new(KEY, "", &client, &err) == SETHEALTH_MISSING_CREDENTIALS, "status");
    CHECK(client == client_sentinel, "client out-parameter unchanged");
    sethealth_error_free(err), err = NULL;

    sethealth_client *real = single_attempt_client(&http_emulator, 0, 0);
    sethealth_token *token = token_sentinel;
    sethealth_token_options options = token_options(NULL);
    options.expires_in_ms = -1;
    CHECK(sethealth_client_get_token(real, &options, NULL, &token, &err) == SETHEALTH_INVALID_ARGUMENT, "status");
    CHECK(token == token_sentinel, "token out-parameter unchanged");
    sethealth_error_free(err);
    sethealth_client_free(real);
}

static void test_struct_size_checked(void) {
    sethealth_client *client = NULL;
    sethealth_error *err = NULL;
    sethealth_client_options options = client_options(&http_emulator);

    options.struct_size = 0;
    CHECK(sethealth_client_new_with_options(&options, &client, &err) == SETHEALTH_INVALID_ARGUMENT, "size 0");
    CHECK(contains(sethealth_error_message(err), "sizeof(sethealth_client_options)"), "\"%s\"",
          sethealth_error_message(err));
    sethealth_error_free(err), err = NULL;

    options.struct_size = 12;
    CHECK(sethealth_client_new_with_options(&options, &client, &err) == SETHEALTH_INVALID_ARGUMENT, "size 12");
    sethealth_error_free(err), err = NULL;
    CHECK(client == NULL, "no client created");

    client = single_attempt_client(&http_emulator, 0, 0);
    sethealth_token_options token_opts = {.struct_size = 3};
    sethealth_token *token = NULL;
    CHECK(sethealth_client_get_token(client, &token_opts, NULL, &token, &err) == SETHEALTH_INVALID_ARGUMENT,
          "token options size 3");
    CHECK(contains(sethealth_error_message(err), "sizeof(sethealth_token_options)"), "\"%s\"",
          sethealth_error_message(err));
    sethealth_error_free(err);
    sethealth_client_free(client);
}

static void test_negative_lifetime(void) {
    sethealth_client *client = single_attempt_client(&http_emulator, 0, 0);
    sethealth_token_options options = token_options(NULL);
    options.expires_in_ms = -5000;
    sethealth_token *token = NULL;
    sethealth_error *err = NULL;
    sethealth_status status = sethealth_client_get_token(client, &options, NULL, &token, &err);
    CHECK(status == SETHEALTH_INVALID_ARGUMENT, "got %s", sethealth_status_name(status));
    CHECK(contains(sethealth_error_message(err), "expires_in_ms is -5000"), "\"%s\"", sethealth_error_message(err));
    sethealth_error_free(err);
    sethealth_client_free(client);
}

static void test_mint_over_https(void) {
    sethealth_client_options options = client_options(&https_emulator);
    options.user_agent_suffix = "c-test/1";
    sethealth_client *client = NULL;
    sethealth_error *err = NULL;
    sethealth_status status = sethealth_client_new_with_options(&options, &client, &err);
    CHECK(status == SETHEALTH_OK, "a client, got %s: %s", sethealth_status_name(status), sethealth_error_message(err));
    sethealth_error_free(err), err = NULL;
    if (client == NULL) {
        return;
    }
    CHECK(strcmp(sethealth_client_key(client), KEY) == 0, "key \"%s\"", sethealth_client_key(client));
    CHECK(strcmp(sethealth_client_api_url(client), https_emulator.url) == 0, "API URL \"%s\"",
          sethealth_client_api_url(client));

    sethealth_token *token = NULL;
    status = sethealth_client_get_token(client, NULL, NULL, &token, &err);
    CHECK(status == SETHEALTH_OK, "a token, got %s: %s", sethealth_status_name(status), sethealth_error_message(err));
    sethealth_error_free(err);
    if (token != NULL) {
        const char *value = sethealth_token_value(token);
        CHECK(value != NULL, "a token string");
        CHECK(value == NULL || strlen(value) == sethealth_token_length(token), "length matches");
        CHECK(strncmp(value, "eyJ", 3) == 0, "a JWT, got %.8s", value);
        CHECK(sethealth_token_expiry_source(token) == SETHEALTH_EXPIRY_CLAIM, "expiry from the exp claim");
        int64_t issued = sethealth_token_issued_at_ms(token);
        int64_t expires = sethealth_token_expires_at_ms(token);
        CHECK(issued > 1600000000000LL, "issued_at %" PRId64, issued);
        CHECK(expires > issued, "expires_at %" PRId64 " after issued_at %" PRId64, expires, issued);
    }
    sethealth_token_free(token);
    sethealth_client_free(client);
}

static void test_options_reach_wire(void) {
    reset_emulator();
    sethealth_client_options client_opts = client_options(&http_emulator);
    client_opts.user_agent_suffix = "c-test/1";
    sethealth_client *client = NULL;
    CHECK(sethealth_client_new_with_options(&client_opts, &client, NULL) == SETHEALTH_OK, "a client");

    sethealth_token_options options = token_options("c-user-7");
    options.test_mode = true;
    options.expires_in_ms = 120000;
    sethealth_token *token = NULL;
    sethealth_error *err = NULL;
    sethealth_status status = sethealth_client_get_token(client, &options, NULL, &token, &err);
    CHECK(status == SETHEALTH_OK, "a token, got %s: %s", sethealth_status_name(status), sethealth_error_message(err));
    sethealth_error_free(err);

    char payload[2048] = "";
    if (token != NULL) {
        CHECK(jwt_payload(sethealth_token_value(token), payload, sizeof payload) == 0, "a JWT payload");
    }
    CHECK(contains(payload, "\"sub\":\"c-user-7\""), "sub claim in %s", payload);
    CHECK(contains(payload, "\"test\":true"), "test claim in %s", payload);
    CHECK(contains(payload, "\"sa\":\"" KEY "\""), "sa claim in %s", payload);
    long long lifetime = json_integer(payload, "exp") - json_integer(payload, "iat");
    CHECK(lifetime == 120, "a 120 s lifetime, got %lld in %s", lifetime, payload);

    static char requests[65536];
    int got = emulator_admin(&http_emulator, "GET", "/_emulator/requests", NULL, requests, sizeof requests);
    CHECK(got == 200, "recorded requests, got %d", got);
    CHECK(contains(requests, "expires-in\\\":120000000000"), "nanoseconds on the wire in %s", requests);
    CHECK(contains(requests, "user-id\\\":\\\"c-user-7\\\""), "user id on the wire in %s", requests);
    CHECK(contains(requests, "test-mode\\\":true"), "test mode on the wire in %s", requests);
    CHECK(contains(requests, "c-test/1"), "user agent suffix in %s", requests);
    check_no_secret(requests);

    sethealth_token_free(token);
    sethealth_client_free(client);
}

static void test_cache_fresh_and_invalidate(void) {
    reset_emulator();
    sethealth_client *client = single_attempt_client(&http_emulator, 0, 0);
    sethealth_token_options options = token_options("cache-user");
    sethealth_token *first = NULL, *second = NULL, *fresh = NULL, *after = NULL;

    CHECK(sethealth_client_get_token(client, &options, NULL, &first, NULL) == SETHEALTH_OK, "first");
    CHECK(sethealth_client_get_token(client, &options, NULL, &second, NULL) == SETHEALTH_OK, "second");
    CHECK(first != NULL, "a first token");
    CHECK(second != NULL, "a second token");
    if (first != NULL && second != NULL) {
        CHECK(strcmp(sethealth_token_value(first), sethealth_token_value(second)) == 0,
              "the second call served from the cache");
    }
    CHECK(tokens_issued() == 1, "one token issued, got %ld", tokens_issued());

    options.fresh = true;
    CHECK(sethealth_client_get_token(client, &options, NULL, &fresh, NULL) == SETHEALTH_OK, "fresh");
    CHECK(tokens_issued() == 2, "fresh skips the cache, got %ld", tokens_issued());

    options.fresh = false;
    CHECK(sethealth_client_invalidate(client, &options, NULL) == SETHEALTH_OK, "invalidate");
    CHECK(sethealth_client_get_token(client, &options, NULL, &after, NULL) == SETHEALTH_OK, "after invalidate");
    CHECK(tokens_issued() == 3, "invalidate drops the entry, got %ld", tokens_issued());

    sethealth_token_free(first);
    sethealth_token_free(second);
    sethealth_token_free(fresh);
    sethealth_token_free(after);
    sethealth_client_free(client);
}

static void test_rejected_secret(void) {
    sethealth_client_options options = client_options(&http_emulator);
    options.secret = WRONG_SECRET;
    sethealth_client *client = NULL;
    CHECK(sethealth_client_new_with_options(&options, &client, NULL) == SETHEALTH_OK, "a client");

    sethealth_token *token = NULL;
    sethealth_error *err = NULL;
    sethealth_status status = sethealth_client_get_token(client, NULL, NULL, &token, &err);
    CHECK(status == SETHEALTH_REJECTED, "rejected, got %s", sethealth_status_name(status));
    CHECK(sethealth_error_code(err) == SETHEALTH_REJECTED, "error code %" PRIu32, sethealth_error_code(err));
    CHECK(sethealth_error_http_status(err) == 401, "HTTP 401, got %u", (unsigned)sethealth_error_http_status(err));
    CHECK(!sethealth_error_is_retryable(err), "not retryable");
    CHECK(sethealth_error_attempts(err) == 1, "one attempt, got %" PRIu32, sethealth_error_attempts(err));
    CHECK(strlen(sethealth_error_message(err)) > 20, "a message, got \"%s\"", sethealth_error_message(err));
    check_no_secret(sethealth_error_message(err));
    CHECK(token == NULL, "no token");
    printf("     rejected: %s\n", sethealth_error_message(err));
    sethealth_error_free(err);
    sethealth_client_free(client);
}

static void test_missing_variable(void) {
    unset_environment();
    setenv("SETHEALTH_KEY", KEY, 1);
    sethealth_client *client = NULL;
    sethealth_error *err = NULL;

    sethealth_status status = sethealth_client_new_from_env(&client, &err);
    CHECK(status == SETHEALTH_MISSING_CREDENTIALS, "got %s", sethealth_status_name(status));
    CHECK(contains(sethealth_error_message(err), "SETHEALTH_SECRET"), "names the variable: \"%s\"",
          sethealth_error_message(err));
    CHECK(sethealth_error_is_unset_credential(err), "unset rather than empty");
    sethealth_error_free(err), err = NULL;

    setenv("SETHEALTH_SECRET", "", 1);
    status = sethealth_client_new_from_env(&client, &err);
    CHECK(status == SETHEALTH_MISSING_CREDENTIALS, "got %s", sethealth_status_name(status));
    CHECK(!sethealth_error_is_unset_credential(err), "empty rather than unset");
    sethealth_error_free(err);
    CHECK(client == NULL, "no client created");
    unset_environment();
}

static void test_from_environment(void) {
    unset_environment();
    setenv("SETHEALTH_KEY", KEY, 1);
    setenv("SETHEALTH_SECRET", SECRET, 1);
    setenv("SETHEALTH_API_URL", https_emulator.url, 1);
    setenv("SETHEALTH_CA_FILE", https_emulator.ca_file, 1);
    sethealth_client *client = NULL;
    sethealth_error *err = NULL;
    sethealth_status status = sethealth_client_new_from_env(&client, &err);
    unset_environment();
    CHECK(status == SETHEALTH_OK, "got %s: %s", sethealth_status_name(status), sethealth_error_message(err));
    sethealth_error_free(err), err = NULL;

    sethealth_token *token = NULL;
    status = sethealth_client_get_token(client, NULL, NULL, &token, &err);
    CHECK(status == SETHEALTH_OK, "got %s: %s", sethealth_status_name(status), sethealth_error_message(err));
    sethealth_error_free(err);
    sethealth_token_free(token);
    sethealth_client_free(client);
}

static void test_server_faults(void) {
    struct {
        const char *fault;
        sethealth_status status;
        uint16_t http_status;
        bool retryable;
    } cases[] = {
        {"{\"kind\":\"status\",\"status\":503}", SETHEALTH_SERVER, 503, true},
        {"{\"kind\":\"status\",\"status\":429,\"retry_after\":\"7\"}", SETHEALTH_RATE_LIMITED, 429, true},
        {"{\"kind\":\"status\",\"status\":403}", SETHEALTH_REJECTED, 403, false},
        {"{\"kind\":\"malformed_json\"}", SETHEALTH_BAD_RESPONSE, 0, false},
        {"{\"kind\":\"no_token\"}", SETHEALTH_BAD_RESPONSE, 0, false},
        {"{\"kind\":\"oversized\",\"bytes\":70000}", SETHEALTH_BAD_RESPONSE, 0, false},
        {"{\"kind\":\"redirect\",\"status\":307,\"location\":\"http://127.0.0.1:9/token\"}", SETHEALTH_BAD_RESPONSE,
         307, false},
        {"{\"kind\":\"close_before_response\"}", SETHEALTH_NETWORK, 0, true},
    };
    sethealth_client *client = single_attempt_client(&http_emulator, 0, 0);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        queue_fault(cases[i].fault);
        sethealth_token_options options = token_options(NULL);
        options.fresh = true;
        sethealth_token *token = NULL;
        sethealth_error *err = NULL;
        sethealth_status status = sethealth_client_get_token(client, &options, NULL, &token, &err);
        CHECK(status == cases[i].status, "%s: %s, got %s (%s)", cases[i].fault, sethealth_status_name(cases[i].status),
              sethealth_status_name(status), sethealth_error_message(err));
        if (cases[i].http_status != 0) {
            CHECK(sethealth_error_http_status(err) == cases[i].http_status, "%s: HTTP %u, got %u", cases[i].fault,
                  (unsigned)cases[i].http_status, (unsigned)sethealth_error_http_status(err));
        }
        CHECK(sethealth_error_is_retryable(err) == cases[i].retryable, "%s: retryable %d", cases[i].fault,
              (int)cases[i].retryable);
        check_no_secret(sethealth_error_message(err));
        if (cases[i].status == SETHEALTH_RATE_LIMITED) {
            CHECK(sethealth_error_retry_after_ms(err) == 7000, "Retry-After 7 s, got %" PRIu64,
                  sethealth_error_retry_after_ms(err));
        }
        sethealth_token_free(token);
        sethealth_error_free(err);
    }
    sethealth_client_free(client);
}

static void test_connection_refused(void) {
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", unused_port());
    sethealth_client_options options = client_options(&http_emulator);
    options.api_url = url;
    options.max_attempts = 1;
    sethealth_client *client = NULL;
    CHECK(sethealth_client_new_with_options(&options, &client, NULL) == SETHEALTH_OK, "a client");

    sethealth_token *token = NULL;
    sethealth_error *err = NULL;
    sethealth_status status = sethealth_client_get_token(client, NULL, NULL, &token, &err);
    CHECK(status == SETHEALTH_NETWORK, "network, got %s: %s", sethealth_status_name(status),
          sethealth_error_message(err));
    CHECK(sethealth_error_http_status(err) == 0, "no HTTP status");
    sethealth_error_free(err);
    sethealth_client_free(client);
}

static void test_untrusted_certificate(void) {
    sethealth_client_options options = client_options(&https_emulator);
    options.ca_file = NULL;
    options.max_attempts = 1;
    sethealth_client *client = NULL;
    CHECK(sethealth_client_new_with_options(&options, &client, NULL) == SETHEALTH_OK, "a client");

    sethealth_token *token = NULL;
    sethealth_error *err = NULL;
    sethealth_status status = sethealth_client_get_token(client, NULL, NULL, &token, &err);
    CHECK(status == SETHEALTH_TLS, "tls, got %s: %s", sethealth_status_name(status), sethealth_error_message(err));
    sethealth_error_free(err);
    sethealth_client_free(client);
}

static void test_invalid_config(void) {
    struct {
        const char *api_url;
        const char *ca_file;
        const char *expected;
    } cases[] = {
        {"http://sethealth.invalid", NULL, "sethealth.invalid"},
        {"not a url", NULL, "not a url"},
        {NULL, "/nonexistent/sethealth-ca.pem", "/nonexistent/sethealth-ca.pem"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sethealth_client_options options = client_options(&http_emulator);
        if (cases[i].api_url != NULL) {
            options.api_url = cases[i].api_url;
        }
        options.ca_file = cases[i].ca_file;
        sethealth_client *client = NULL;
        sethealth_error *err = NULL;
        sethealth_status status = sethealth_client_new_with_options(&options, &client, &err);
        CHECK(status == SETHEALTH_INVALID_CONFIG, "case %zu: invalid_config, got %s", i, sethealth_status_name(status));
        CHECK(contains(sethealth_error_message(err), cases[i].expected), "case %zu names %s: \"%s\"", i,
              cases[i].expected, sethealth_error_message(err));
        check_no_secret(sethealth_error_message(err));
        CHECK(client == NULL, "no client created");
        sethealth_error_free(err);
    }

    sethealth_client_options options = client_options(&http_emulator);
    options.user_agent_suffix = "bad\nsuffix";
    sethealth_client *client = NULL;
    CHECK(sethealth_client_new_with_options(&options, &client, NULL) == SETHEALTH_INVALID_CONFIG, "user agent suffix");
    sethealth_client_free(client);
}

typedef struct {
    const sethealth_cancel *cancel;
    long delay_ms;
} cancel_job;

static void *cancel_later(void *argument) {
    const cancel_job *job = argument;
    sleep_ms(job->delay_ms);
    sethealth_cancel_cancel(job->cancel);
    return NULL;
}

static void test_cancel_from_another_thread(void) {
    queue_fault("{\"kind\":\"stall\"}");
    sethealth_client *client = single_attempt_client(&http_emulator, 0, 0);
    sethealth_cancel *cancel = NULL;
    CHECK(sethealth_cancel_new(&cancel, NULL) == SETHEALTH_OK, "a cancel handle");

    cancel_job job = {.cancel = cancel, .delay_ms = 200};
    pthread_t thread;
    pthread_create(&thread, NULL, cancel_later, &job);
    double started = now_seconds();
    sethealth_token *token = NULL;
    sethealth_error *err = NULL;
    sethealth_status status = sethealth_client_get_token(client, NULL, cancel, &token, &err);
    double elapsed = now_seconds() - started;
    pthread_join(thread, NULL);

    CHECK(status == SETHEALTH_CANCELLED, "cancelled, got %s: %s", sethealth_status_name(status),
          sethealth_error_message(err));
    CHECK(elapsed < 10.0, "a prompt return, took %.2f s", elapsed);
    CHECK(sethealth_cancel_is_cancelled(cancel), "the handle reports it");
    CHECK(token == NULL, "no token");
    sethealth_error_free(err), err = NULL;

    // A cancelled handle stays cancelled: the next call returns at once.
    sethealth_token_options options = token_options("after-cancel");
    status = sethealth_client_get_token(client, &options, cancel, &token, &err);
    CHECK(status == SETHEALTH_CANCELLED, "still cancelled, got %s", sethealth_status_name(status));
    sethealth_error_free(err);

    sethealth_cancel_free(cancel);
    sethealth_client_free(client);
}

static void test_timeout_against_stall(void) {
    queue_fault("{\"kind\":\"stall\"}");
    sethealth_client *client = single_attempt_client(&http_emulator, 300, 800);
    double started = now_seconds();
    sethealth_token *token = NULL;
    sethealth_error *err = NULL;
    sethealth_status status = sethealth_client_get_token(client, NULL, NULL, &token, &err);
    double elapsed = now_seconds() - started;

    CHECK(status == SETHEALTH_TIMEOUT, "timeout, got %s: %s", sethealth_status_name(status),
          sethealth_error_message(err));
    CHECK(sethealth_error_is_retryable(err), "retryable");
    CHECK(elapsed < 10.0, "a prompt return, took %.2f s", elapsed);
    printf("     timeout: %s\n", sethealth_error_message(err));
    sethealth_error_free(err);
    sethealth_client_free(client);
}

enum { THREADS = 8, CALLS_PER_THREAD = 4 };

typedef struct {
    const sethealth_client *client;
    int index;
    int successes;
    bool subject_matched;
} mint_job;

static void *mint_repeatedly(void *argument) {
    mint_job *job = argument;
    char user_id[32];
    snprintf(user_id, sizeof user_id, "thread-%d", job->index);
    char expected[48];
    snprintf(expected, sizeof expected, "\"sub\":\"%s\"", user_id);
    job->subject_matched = true;

    for (int call = 0; call < CALLS_PER_THREAD; call++) {
        sethealth_token_options options = token_options(user_id);
        options.fresh = call % 2 == 1;
        sethealth_token *token = NULL;
        if (sethealth_client_get_token(job->client, &options, NULL, &token, NULL) == SETHEALTH_OK) {
            char payload[1024] = "";
            jwt_payload(sethealth_token_value(token), payload, sizeof payload);
            job->subject_matched = job->subject_matched && contains(payload, expected);
            job->successes++;
        }
        sethealth_token_free(token);
    }
    return NULL;
}

static void test_concurrent_threads(void) {
    reset_emulator();
    sethealth_client *client = single_attempt_client(&http_emulator, 0, 0);
    pthread_t threads[THREADS];
    mint_job jobs[THREADS];
    for (int i = 0; i < THREADS; i++) {
        jobs[i] = (mint_job){.client = client, .index = i};
        pthread_create(&threads[i], NULL, mint_repeatedly, &jobs[i]);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
        CHECK(jobs[i].successes == CALLS_PER_THREAD, "thread %d: %d of %d calls succeeded", i, jobs[i].successes,
              CALLS_PER_THREAD);
        CHECK(jobs[i].subject_matched, "thread %d got tokens for its own user id", i);
    }
    sethealth_client_free(client);
}

static void test_free_then_null_is_safe(void) {
    sethealth_client *client = single_attempt_client(&http_emulator, 0, 0);
    sethealth_token *token = NULL;
    sethealth_error *err = NULL;
    sethealth_cancel *cancel = NULL;
    CHECK(sethealth_client_get_token(client, NULL, NULL, &token, NULL) == SETHEALTH_OK, "a token");
    CHECK(sethealth_client_new(KEY, "", &(sethealth_client *){NULL}, &err) == SETHEALTH_MISSING_CREDENTIALS, "an error");
    CHECK(sethealth_cancel_new(&cancel, NULL) == SETHEALTH_OK, "a cancel handle");

    // The token outlives its client.
    sethealth_client_free(client), client = NULL;
    CHECK(sethealth_token_length(token) > 0, "the token is still readable");

    sethealth_token_free(token), token = NULL;
    sethealth_error_free(err), err = NULL;
    sethealth_cancel_free(cancel), cancel = NULL;
    sethealth_client_free(client);
    sethealth_token_free(token);
    sethealth_error_free(err);
    sethealth_cancel_free(cancel);
}

static void test_first_release_struct_size(void) {
    reset_emulator();
    // A program compiled against the first release of the header has a
    // struct that ends where retry_base_delay_ms begins. A heap copy of
    // exactly that size lets valgrind report any read past it.
    const size_t first_size = offsetof(sethealth_client_options, retry_base_delay_ms);
    sethealth_client_options current = client_options(&http_emulator);
    current.struct_size = (uint32_t)first_size;
    current.max_attempts = 1;
    current.cache_min_remaining_fraction = 7.0;  // invalid, and past the declared size
    sethealth_client_options *first_release = malloc(first_size);
    CHECK(first_release != NULL, "memory for %zu bytes", first_size);
    if (first_release == NULL) {
        return;
    }
    memcpy(first_release, &current, first_size);

    sethealth_client *client = NULL;
    sethealth_error *err = NULL;
    sethealth_status status = sethealth_client_new_with_options(first_release, &client, &err);
    free(first_release);
    CHECK(status == SETHEALTH_OK, "a client from a %zu-byte struct, got %s: %s", first_size,
          sethealth_status_name(status), sethealth_error_message(err));
    sethealth_error_free(err), err = NULL;

    sethealth_token *first = NULL, *second = NULL;
    CHECK(sethealth_client_get_token(client, NULL, NULL, &first, &err) == SETHEALTH_OK, "first token: %s",
          sethealth_error_message(err));
    sethealth_error_free(err), err = NULL;
    CHECK(sethealth_client_get_token(client, NULL, NULL, &second, &err) == SETHEALTH_OK, "second token: %s",
          sethealth_error_message(err));
    sethealth_error_free(err);
    CHECK(requests_received() == 1, "the default cache served the second call, got %ld requests",
          requests_received());

    sethealth_token_free(first);
    sethealth_token_free(second);
    sethealth_client_free(client);
}

static void test_retry_and_cache_options_validated(void) {
    struct {
        uint64_t base_delay_ms;
        uint64_t max_delay_ms;
        double fraction;
        const char *expected[2];
    } cases[] = {
        {0, 0, 1.5, {"1.5", NULL}},
        {0, 0, NAN, {"NaN", NULL}},
        {0, 0, -INFINITY, {"-inf", NULL}},
        {2000, 1000, 0.0, {"2s", "1s"}},
        // The base delay left at 0 is the core's default, 200 ms.
        {0, 100, 0.0, {"200ms", "100ms"}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sethealth_client_options options = client_options(&http_emulator);
        options.retry_base_delay_ms = cases[i].base_delay_ms;
        options.retry_max_delay_ms = cases[i].max_delay_ms;
        options.cache_min_remaining_fraction = cases[i].fraction;
        sethealth_client *client = NULL;
        sethealth_error *err = NULL;
        sethealth_status status = sethealth_client_new_with_options(&options, &client, &err);
        CHECK(status == SETHEALTH_INVALID_CONFIG, "case %zu: invalid_config, got %s", i, sethealth_status_name(status));
        for (size_t j = 0; j < 2 && cases[i].expected[j] != NULL; j++) {
            CHECK(contains(sethealth_error_message(err), cases[i].expected[j]), "case %zu names %s: \"%s\"", i,
                  cases[i].expected[j], sethealth_error_message(err));
        }
        check_no_secret(sethealth_error_message(err));
        CHECK(client == NULL, "case %zu: no client created", i);
        sethealth_error_free(err);
    }
}

static void test_cache_margins_decide_reuse(void) {
    struct {
        const char *name;
        double fraction;
        int64_t min_remaining_ms;
        int64_t expires_in_ms;
        long requests;
    } cases[] = {
        {"defaults, server lifetime", 0.0, 0, 0, 1},
        {"fraction 1.0", 1.0, 0, 0, 2},
        {"default 30 s margin, 10 s token", 0.0, 0, 10000, 2},
        {"no margin, 10 s token", 0.0, -1, 10000, 1},
        {"default margin, 60 s token", 0.0, 0, 60000, 1},
        {"no fraction, 70 s margin, 60 s token", -1.0, 70000, 60000, 2},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        reset_emulator();
        sethealth_client_options client_opts = client_options(&http_emulator);
        client_opts.max_attempts = 1;
        client_opts.cache_min_remaining_fraction = cases[i].fraction;
        client_opts.cache_min_remaining_ms = cases[i].min_remaining_ms;
        sethealth_client *client = NULL;
        sethealth_error *err = NULL;
        sethealth_status status = sethealth_client_new_with_options(&client_opts, &client, &err);
        CHECK(status == SETHEALTH_OK, "%s: a client, got %s: %s", cases[i].name, sethealth_status_name(status),
              sethealth_error_message(err));
        sethealth_error_free(err);

        sethealth_token_options options = token_options(NULL);
        options.expires_in_ms = cases[i].expires_in_ms;
        for (int call = 0; call < 2; call++) {
            sethealth_token *token = NULL;
            status = sethealth_client_get_token(client, &options, NULL, &token, NULL);
            CHECK(status == SETHEALTH_OK, "%s: call %d, got %s", cases[i].name, call, sethealth_status_name(status));
            sethealth_token_free(token);
        }
        CHECK(requests_received() == cases[i].requests, "%s: %ld requests for two calls, want %ld", cases[i].name,
              requests_received(), cases[i].requests);
        sethealth_client_free(client);
    }
}

static void test_server_errors_retried(void) {
    queue_fault("{\"kind\":\"status\",\"status\":503,\"count\":2}");
    sethealth_client_options options = client_options(&http_emulator);
    options.retry_base_delay_ms = 1;
    options.retry_max_delay_ms = 20;
    sethealth_client *client = NULL;
    CHECK(sethealth_client_new_with_options(&options, &client, NULL) == SETHEALTH_OK, "a client");

    sethealth_token *token = NULL;
    sethealth_error *err = NULL;
    sethealth_status status = sethealth_client_get_token(client, NULL, NULL, &token, &err);
    CHECK(status == SETHEALTH_OK, "a token after two 503s with the default 3 attempts, got %s: %s",
          sethealth_status_name(status), sethealth_error_message(err));
    CHECK(requests_received() == 3, "3 requests, got %ld", requests_received());
    CHECK(tokens_issued() == 1, "1 token issued, got %ld", tokens_issued());
    sethealth_error_free(err);
    sethealth_token_free(token);
    sethealth_client_free(client);
}

static void test_rejection_not_retried(void) {
    reset_emulator();
    sethealth_client_options options = client_options(&http_emulator);
    options.secret = WRONG_SECRET;
    sethealth_client *client = NULL;
    CHECK(sethealth_client_new_with_options(&options, &client, NULL) == SETHEALTH_OK, "a client");

    sethealth_token *token = NULL;
    sethealth_error *err = NULL;
    sethealth_status status = sethealth_client_get_token(client, NULL, NULL, &token, &err);
    CHECK(status == SETHEALTH_REJECTED, "rejected, got %s", sethealth_status_name(status));
    CHECK(sethealth_error_http_status(err) == 401, "HTTP 401, got %u", (unsigned)sethealth_error_http_status(err));
    CHECK(requests_received() == 1, "1 request with the default 3 attempts, got %ld", requests_received());
    check_no_secret(sethealth_error_message(err));
    sethealth_error_free(err);
    sethealth_client_free(client);
}

enum { SHARING_THREADS = 8 };

typedef struct {
    const sethealth_client *client;
    pthread_barrier_t *start;
    sethealth_status status;
    char token[1024];
} shared_mint_job;

static void *mint_after_barrier(void *argument) {
    shared_mint_job *job = argument;
    pthread_barrier_wait(job->start);
    sethealth_token *token = NULL;
    job->status = sethealth_client_get_token(job->client, NULL, NULL, &token, NULL);
    if (job->status == SETHEALTH_OK) {
        snprintf(job->token, sizeof job->token, "%s", sethealth_token_value(token));
    }
    sethealth_token_free(token);
    return NULL;
}

static void test_threads_share_cold_request(void) {
    // The delay keeps the first request open while the other threads arrive.
    queue_fault("{\"kind\":\"delay\",\"ms\":300}");
    sethealth_client *client = single_attempt_client(&http_emulator, 0, 0);
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, SHARING_THREADS);
    pthread_t threads[SHARING_THREADS];
    shared_mint_job jobs[SHARING_THREADS];
    for (int i = 0; i < SHARING_THREADS; i++) {
        jobs[i] = (shared_mint_job){.client = client, .start = &start};
        pthread_create(&threads[i], NULL, mint_after_barrier, &jobs[i]);
    }
    for (int i = 0; i < SHARING_THREADS; i++) {
        pthread_join(threads[i], NULL);
    }
    pthread_barrier_destroy(&start);

    for (int i = 0; i < SHARING_THREADS; i++) {
        CHECK(jobs[i].status == SETHEALTH_OK, "thread %d: a token, got %s", i, sethealth_status_name(jobs[i].status));
        CHECK(strcmp(jobs[i].token, jobs[0].token) == 0, "thread %d got the shared token", i);
    }
    CHECK(requests_received() == 1, "%d threads on a cold cache made 1 request, got %ld", SHARING_THREADS,
          requests_received());
    sethealth_client_free(client);
}

// ---------------------------------------------------------------- main

static int leak_one_token(void) {
    sethealth_client *client = single_attempt_client(&http_emulator, 0, 0);
    sethealth_token *token = NULL;
    sethealth_status status = sethealth_client_get_token(client, NULL, NULL, &token, NULL);
    printf("minted a token (%s) and dropped it without sethealth_token_free\n", sethealth_status_name(status));
    token = NULL;
    sethealth_client_free(client);
    // Not 1, which is valgrind's exit status for the leak this mode creates.
    return status == SETHEALTH_OK ? 0 : 3;
}

int main(int argc, char **argv) {
    bool leak_mode = argc > 1 && strcmp(argv[1], "--leak-one-token") == 0;
    int binary_index = leak_mode ? 2 : 1;
    const char *binary = getenv("SETHEALTH_EMULATOR_BIN");
    if (argc > binary_index) {
        binary = argv[binary_index];
    }
    if (binary == NULL || binary[0] == '\0') {
        binary = "target/debug/sethealth-emulator";
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    unset_environment();

    if (emulator_start(&http_emulator, binary, KEY, SECRET, false) != 0) {
        return 2;
    }
    if (leak_mode) {
        int result = leak_one_token();
        emulator_stop(&http_emulator);
        return result;
    }
    if (emulator_start(&https_emulator, binary, KEY, SECRET, true) != 0) {
        emulator_stop(&http_emulator);
        return 2;
    }
    printf("emulators: %s and %s\n", http_emulator.url, https_emulator.url);

    RUN(test_versions);
    RUN(test_null_arguments);
    RUN(test_invalid_utf8);
    RUN(test_out_parameters_untouched_on_failure);
    RUN(test_struct_size_checked);
    RUN(test_negative_lifetime);
    RUN(test_mint_over_https);
    RUN(test_options_reach_wire);
    RUN(test_cache_fresh_and_invalidate);
    RUN(test_rejected_secret);
    RUN(test_missing_variable);
    RUN(test_from_environment);
    RUN(test_server_faults);
    RUN(test_connection_refused);
    RUN(test_untrusted_certificate);
    RUN(test_invalid_config);
    RUN(test_cancel_from_another_thread);
    RUN(test_timeout_against_stall);
    RUN(test_concurrent_threads);
    RUN(test_first_release_struct_size);
    RUN(test_retry_and_cache_options_validated);
    RUN(test_cache_margins_decide_reuse);
    RUN(test_server_errors_retried);
    RUN(test_rejection_not_retried);
    RUN(test_threads_share_cold_request);
    RUN(test_free_then_null_is_safe);

    emulator_stop(&http_emulator);
    emulator_stop(&https_emulator);
    printf("%d passed, %d failed\n", harness_passed, harness_failed);
    return harness_failed == 0 ? 0 : 1;
}
