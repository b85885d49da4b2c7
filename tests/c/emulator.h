// Starts sethealth-emulator processes on loopback for the C tests and talks
// to their admin endpoints over plain HTTP.

#ifndef SETHEALTH_TEST_EMULATOR_H
#define SETHEALTH_TEST_EMULATOR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

typedef struct {
    pid_t pid;
    bool https;
    int port;
    char dir[64];       // a private temporary directory, removed on stop
    char url[128];      // such as http://127.0.0.1:40123
    char ca_file[192];  // the emulator's CA certificate (HTTPS only)
} emulator;

// Starts `binary` with one service account `key:secret`, listening on
// 127.0.0.1, and waits up to 20 s for its ready file. Returns 0 on success
// and -1 after printing why on standard error.
int emulator_start(emulator *emu, const char *binary, const char *key, const char *secret, bool https);

// Stops the emulator with SIGTERM, waits for it and removes its directory.
void emulator_stop(emulator *emu);

// Sends one request to a plain-HTTP emulator, such as POST /_emulator/faults
// with a JSON body (`body` may be NULL), and stores the NUL-terminated
// response body in `response`. Returns the HTTP status, or -1 on failure.
int emulator_admin(const emulator *emu, const char *method, const char *path, const char *body,
                   char *response, size_t response_size);

// Returns a loopback TCP port that nothing listens on (bound, then closed).
int unused_port(void);

#endif
