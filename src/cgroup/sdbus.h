/* burrow: libsystemd's sd-bus, opened with dlopen the first time the
 * systemd cgroup manager needs it (configure.ac says why it is not
 * linked).  The functions are the library's own, typed by its header. */
#ifndef BURROW_CGROUP_SDBUS_H
#define BURROW_CGROUP_SDBUS_H

#include <config.h>

#include <stdbool.h>

#include "util/error.h"

#ifdef HAVE_SD_BUS
#include <systemd/sd-bus.h>

struct bw_sd {
    __typeof__(sd_bus_new) *bus_new;
    __typeof__(sd_bus_set_address) *bus_set_address;
    __typeof__(sd_bus_set_bus_client) *bus_set_bus_client;
    __typeof__(sd_bus_start) *bus_start;
    __typeof__(sd_bus_flush_close_unref) *bus_flush_close_unref;
    __typeof__(sd_bus_message_new_method_call) *message_new_method_call;
    __typeof__(sd_bus_message_append) *message_append;
    __typeof__(sd_bus_message_append_array) *message_append_array;
    __typeof__(sd_bus_message_open_container) *message_open_container;
    __typeof__(sd_bus_message_close_container) *message_close_container;
    __typeof__(sd_bus_message_read) *message_read;
    __typeof__(sd_bus_message_unref) *message_unref;
    __typeof__(sd_bus_call) *call;
    __typeof__(sd_bus_call_method) *call_method;
    __typeof__(sd_bus_match_signal) *match_signal;
    __typeof__(sd_bus_process) *process;
    __typeof__(sd_bus_wait) *wait;
    __typeof__(sd_bus_error_free) *error_free;
    __typeof__(sd_bus_error_has_name) *error_has_name;
};

/* The library's functions, or NULL with the reason (not installed). */
const struct bw_sd *bw_sd_load(bw_err_t *err);

/* A connection to `address` ("unix:path=..."): systemd's private socket
 * (a direct connection), or a bus daemon's (bus_client: Hello is sent). */
sd_bus *bw_sd_connect(const struct bw_sd *sd, const char *address, bool bus_client, bw_err_t *err);

/* "NAME: MESSAGE" of an sd-bus error, or strerror(-r) (static buffer). */
const char *bw_sd_error_text(const sd_bus_error *e, int r);
#endif

#endif
