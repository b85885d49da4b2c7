// Emulator processes and a minimal HTTP/1.1 client for their admin endpoints.

#define _GNU_SOURCE

#include "emulator.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

// Copies the JSON string member `name` of `json` into `out`; 0 on success.
static int json_string_member(const char *json, const char *name, char *out, size_t size) {
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\"", name);
    const char *at = strstr(json, pattern);
    if (at == NULL) {
        return -1;
    }
    at += strlen(pattern);
    while (*at == ' ' || *at == ':') {
        at++;
    }
    if (*at != '"') {
        return -1;
    }
    at++;
    const char *end = strchr(at, '"');
    if (end == NULL || (size_t)(end - at) >= size) {
        return -1;
    }
    memcpy(out, at, (size_t)(end - at));
    out[end - at] = '\0';
    return 0;
}

static int read_file(const char *path, char *out, size_t size) {
    FILE *file = fopen(path, "r");
    if (file == NULL) {
        return -1;
    }
    size_t length = fread(out, 1, size - 1, file);
    fclose(file);
    out[length] = '\0';
    return length > 0 ? 0 : -1;
}

static void sleep_ms(long milliseconds) {
    struct timespec delay = {.tv_sec = milliseconds / 1000, .tv_nsec = (milliseconds % 1000) * 1000000L};
    nanosleep(&delay, NULL);
}

int emulator_start(emulator *emu, const char *binary, const char *key, const char *secret, bool https) {
    memset(emu, 0, sizeof *emu);
    emu->https = https;
    snprintf(emu->dir, sizeof emu->dir, "/tmp/sethealth-c-test-XXXXXX");
    if (mkdtemp(emu->dir) == NULL) {
        perror("emulator: mkdtemp");
        return -1;
    }

    char account[256], ready[128], ca_out[192], log_path[128];
    snprintf(account, sizeof account, "%s:%s", key, secret);
    snprintf(ready, sizeof ready, "%s/ready.json", emu->dir);
    snprintf(ca_out, sizeof ca_out, "%s/ca.pem", emu->dir);
    snprintf(log_path, sizeof log_path, "%s/emulator.log", emu->dir);

    char *argv[12];
    int argc = 0;
    argv[argc++] = (char *)binary;
    argv[argc++] = "--account";
    argv[argc++] = account;
    argv[argc++] = "--ready-file";
    argv[argc++] = ready;
    argv[argc++] = "--log-level";
    argv[argc++] = "warn";
    if (https) {
        argv[argc++] = "--ca-out";
        argv[argc++] = ca_out;
    } else {
        argv[argc++] = "--http";
    }
    argv[argc] = NULL;

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int spawned = posix_spawn(&emu->pid, binary, &actions, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) {
        fprintf(stderr, "emulator: cannot start %s: %s; build it with `cargo build -p sethealth-emulator`\n",
                binary, strerror(spawned));
        emu->pid = 0;
        return -1;
    }

    char json[1024];
    for (int waited = 0; waited < 200; waited++) {
        if (read_file(ready, json, sizeof json) == 0 && json_string_member(json, "url", emu->url, sizeof emu->url) == 0) {
            const char *colon = strrchr(emu->url, ':');
            emu->port = colon != NULL ? atoi(colon + 1) : 0;
            if (https) {
                snprintf(emu->ca_file, sizeof emu->ca_file, "%s", ca_out);
            }
            return 0;
        }
        int wait_status;
        if (waitpid(emu->pid, &wait_status, WNOHANG) == emu->pid) {
            fprintf(stderr, "emulator: %s exited before it was ready; see %s\n", binary, log_path);
            emu->pid = 0;
            return -1;
        }
        sleep_ms(100);
    }
    fprintf(stderr, "emulator: %s was not ready within 20 s; see %s\n", binary, log_path);
    emulator_stop(emu);
    return -1;
}

void emulator_stop(emulator *emu) {
    if (emu->pid > 0) {
        kill(emu->pid, SIGTERM);
        waitpid(emu->pid, NULL, 0);
        emu->pid = 0;
    }
    if (emu->dir[0] != '\0') {
        const char *names[] = {"ready.json", "ca.pem", "emulator.log"};
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
            char path[128];
            snprintf(path, sizeof path, "%s/%s", emu->dir, names[i]);
            unlink(path);
        }
        rmdir(emu->dir);
        emu->dir[0] = '\0';
    }
}

static int connect_loopback(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        return -1;
    }
    struct timeval timeout = {.tv_sec = 10};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&address, sizeof address) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int write_all(int fd, const char *data, size_t length) {
    while (length > 0) {
        ssize_t written = send(fd, data, length, MSG_NOSIGNAL);
        if (written <= 0) {
            return -1;
        }
        data += written;
        length -= (size_t)written;
    }
    return 0;
}

int emulator_admin(const emulator *emu, const char *method, const char *path, const char *body,
                   char *response, size_t response_size) {
    if (emu->https) {
        fprintf(stderr, "emulator_admin: only a plain-HTTP emulator can be driven from the tests\n");
        return -1;
    }
    int fd = connect_loopback(emu->port);
    if (fd < 0) {
        fprintf(stderr, "emulator_admin: cannot connect to port %d: %s\n", emu->port, strerror(errno));
        return -1;
    }

    size_t body_length = body != NULL ? strlen(body) : 0;
    char head[512];
    int head_length = snprintf(head, sizeof head,
                               "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/json\r\n"
                               "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                               method, path, emu->port, body_length);
    if (write_all(fd, head, (size_t)head_length) != 0 || (body_length > 0 && write_all(fd, body, body_length) != 0)) {
        close(fd);
        return -1;
    }

    size_t capacity = 1 << 20;
    char *raw = malloc(capacity);
    if (raw == NULL) {
        close(fd);
        return -1;
    }
    size_t received = 0;
    ssize_t chunk;
    while (received < capacity - 1 && (chunk = recv(fd, raw + received, capacity - 1 - received, 0)) > 0) {
        received += (size_t)chunk;
    }
    close(fd);
    raw[received] = '\0';

    int status = -1;
    if (sscanf(raw, "HTTP/1.%*d %d", &status) == 1 && response != NULL && response_size > 0) {
        const char *payload = strstr(raw, "\r\n\r\n");
        snprintf(response, response_size, "%s", payload != NULL ? payload + 4 : "");
    }
    free(raw);
    return status;
}

int unused_port(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = 0};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (fd < 0 || bind(fd, (struct sockaddr *)&address, sizeof address) != 0 ||
        getsockname(fd, (struct sockaddr *)&address, &length) != 0) {
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    close(fd);
    return ntohs(address.sin_port);
}
