/* burrow: shared bits of the src/spec unit tests. */
#ifndef BURROW_TESTS_UNIT_SPEC_CASES_H
#define BURROW_TESTS_UNIT_SPEC_CASES_H

#include <stdbool.h>

#include "unit.h"

/* JSON written with ' for " (readable in C), converted; caller frees. */
char *json_from_squoted(const char *s);

/* Run the table of error cases of test-spec-cases.c, one line each, for
 * the selected ones; returns the number of failures. */
int run_spec_cases(int argc, char **argv);

#endif
