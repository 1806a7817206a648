/* burrow features: the runtime-spec features structure of this build (see
 * features.c for how each field is decided). */
#ifndef BURROW_CONTAINER_FEATURES_H
#define BURROW_CONTAINER_FEATURES_H

#include <stdio.h>

#include "util/error.h"

int bw_features_print(FILE *out, bw_err_t *err);

#endif
