// A minimal test harness: CHECK records a failure and goes on, so one run
// reports every broken expectation; RUN prints one line per test and
// main prints "N passed, M failed" at the end.

#ifndef SETHEALTH_TEST_HARNESS_H
#define SETHEALTH_TEST_HARNESS_H

#include <stdbool.h>
#include <stdio.h>

extern bool harness_test_failed;
extern int harness_passed;
extern int harness_failed;

#define CHECK(condition, ...)                                                          \
    do {                                                                               \
        if (!(condition)) {                                                            \
            printf("    %s:%d: expected %s: ", __FILE__, __LINE__, #condition);  \
            printf(__VA_ARGS__);                                                       \
            putchar('\n');                                                             \
            harness_test_failed = true;                                                \
        }                                                                              \
    } while (0)

#define RUN(test)                                        \
    do {                                                 \
        harness_test_failed = false;                     \
        test();                                          \
        printf("%s %s\n", harness_test_failed ? "FAIL" : "ok  ", #test); \
        fflush(stdout);                                  \
        if (harness_test_failed) {                       \
            harness_failed++;                            \
        } else {                                         \
            harness_passed++;                            \
        }                                                \
    } while (0)

#endif
