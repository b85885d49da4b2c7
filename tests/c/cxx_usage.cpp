// Compiled by `make lint-c` as C++17 with -Wall -Wextra -Werror: the
// initialization the header recommends to C++ callers must stay warning-free.
#include "sethealth.h"

int main() {
    sethealth_client_options options{};
    options.struct_size = sizeof options;
    sethealth_token_options token_options{};
    token_options.struct_size = sizeof token_options;

    sethealth_error *error = nullptr;
    sethealth_client *client = nullptr;
    sethealth_status status = sethealth_client_new_with_options(&options, &client, &error);
    sethealth_client_free(client);
    sethealth_error_free(error);
    return status == SETHEALTH_OK ? 0 : 1;
}
