/* burrow: libFuzzer target for the config.json / process.json parsers and
 * the validation (src/spec).
 *
 * Build and run (needs clang with libFuzzer):
 *
 *   ./configure --enable-fuzzing CC=clang && make fuzz
 *
 * `make fuzz` runs tests/fuzz/fuzz-config for $(FUZZ_SECONDS) seconds (60 by
 * default: `make fuzz FUZZ_SECONDS=600` for longer), seeded with
 * tests/fuzz/corpus/config and the dictionary tests/fuzz/config.dict; new
 * inputs go to tests/fuzz/corpus-work in the build tree.  The target and
 * the parser sources are compiled with -fsanitize=fuzzer,address,undefined.
 * A crash leaves crash-<sha1> in the current directory: fix the bug, then
 * add the input to tests/fuzz/corpus/config so that `make check` replays it
 * forever through tests/fuzz/fuzz-config-corpus (the same function, under
 * the normal compiler).
 *
 * The input is parsed both as a config.json and as a process.json; what
 * parses is validated (both validations) and freed, so leaks show up too.
 */
#include <config.h>

#include <stddef.h>
#include <stdint.h>

#include "spec/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bw_err_t err = NULL;
    struct oci_config *c = oci_config_parse((const char *)data, size, "config.json", &err);

    if (c != NULL) {
        oci_config_validate(c, "config.json", &err);
        bw_error_free(&err);
        oci_config_validate_for_create(c, "config.json", &err);
        oci_config_free(c);
    }
    bw_error_free(&err);

    struct oci_process *p = oci_process_parse((const char *)data, size, "process.json", &err);
    if (p != NULL) {
        oci_process_validate(p, "process.json", &err);
        oci_process_free(p);
    }
    bw_error_free(&err);
    return 0;
}
