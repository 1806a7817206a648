/* burrow: libsystemd's sd-bus, opened at run time (see sdbus.h). */
#include <config.h>

#ifdef HAVE_SD_BUS
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cgroup/sdbus.h"

/* libsystemd0's soname: the ABI that sd-bus keeps stable. */
#define LIBSYSTEMD "libsystemd.so.0"

static struct bw_sd sd;
static bool loaded;

#define SYM(field, name)                                                                           \
    do {                                                                                           \
        *(void **)&sd.field = dlsym(h, name);                                                      \
        if (sd.field == NULL) {                                                                    \
            bw_error_set(err, ENOSYS, "%s has no %s (libsystemd is older than 237)", LIBSYSTEMD,   \
                         name);                                                                    \
            return NULL;                                                                           \
        }                                                                                          \
    } while (0)

const struct bw_sd *bw_sd_load(bw_err_t *err)
{
    if (loaded)
        return &sd;
    /* RTLD_LOCAL: nothing of it is ever seen by later lookups. */
    void *h = dlopen(LIBSYSTEMD, RTLD_NOW | RTLD_LOCAL);
    if (h == NULL) {
        const char *why = dlerror();
        bw_error_set(err, ENOENT,
                     "cannot load %s (%s): install libsystemd0 to use the systemd cgroup manager",
                     LIBSYSTEMD, why ? why : "not found");
        return NULL;
    }
    SYM(bus_new, "sd_bus_new");
    SYM(bus_set_address, "sd_bus_set_address");
    SYM(bus_set_bus_client, "sd_bus_set_bus_client");
    SYM(bus_start, "sd_bus_start");
    SYM(bus_flush_close_unref, "sd_bus_flush_close_unref");
    SYM(message_new_method_call, "sd_bus_message_new_method_call");
    SYM(message_append, "sd_bus_message_append");
    SYM(message_append_array, "sd_bus_message_append_array");
    SYM(message_open_container, "sd_bus_message_open_container");
    SYM(message_close_container, "sd_bus_message_close_container");
    SYM(message_read, "sd_bus_message_read");
    SYM(message_unref, "sd_bus_message_unref");
    SYM(call, "sd_bus_call");
    SYM(call_method, "sd_bus_call_method");
    SYM(match_signal, "sd_bus_match_signal");
    SYM(process, "sd_bus_process");
    SYM(wait, "sd_bus_wait");
    SYM(error_free, "sd_bus_error_free");
    SYM(error_has_name, "sd_bus_error_has_name");
    loaded = true;
    return &sd;
}

sd_bus *bw_sd_connect(const struct bw_sd *s, const char *address, bool bus_client, bw_err_t *err)
{
    sd_bus *bus = NULL;
    int r = s->bus_new(&bus);
    if (r < 0) {
        bw_error_set(err, -r, "sd_bus_new");
        return NULL;
    }
    if ((r = s->bus_set_address(bus, address)) < 0 ||
        (r = s->bus_set_bus_client(bus, bus_client)) < 0 || (r = s->bus_start(bus)) < 0) {
        s->bus_flush_close_unref(bus);
        bw_error_set(err, -r, "connect to `%s`", address);
        return NULL;
    }
    return bus;
}

const char *bw_sd_error_text(const sd_bus_error *e, int r)
{
    static char buf[1024];
    if (e != NULL && e->name != NULL)
        snprintf(buf, sizeof(buf), "%s (%s)", e->message ? e->message : "error", e->name);
    else
        snprintf(buf, sizeof(buf), "%s", strerror(r < 0 ? -r : r));
    return buf;
}
#endif
