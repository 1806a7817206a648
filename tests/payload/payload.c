/* payload: the process the integration tests run inside containers.
 *
 * A small static multi-call program, so that assertions are exact and no
 * distribution rootfs is needed:
 *
 *     payload hostname -- ids -- uidmap
 *
 * runs the subcommands in order, each printing one or a few `key: value`
 * lines on stdout (flushed after each one).  An unknown subcommand is an error
 * on stderr and exit status 127; wrong arguments give status 2; a failure to
 * do what was asked (cat of a missing file...) gives status 1.  Subcommands
 * that probe (writable, exists) report failures on stdout and succeed.
 *
 * Invoked through a link whose name is a subcommand (`ln -s payload ids`), it
 * runs that subcommand with the remaining arguments.
 *
 * Built with -static and without sanitizers: it must run in a rootfs that has
 * no libc at all.  Avoid NSS functions (getpwnam...), which static glibc
 * cannot provide.
 */
#include <config.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static const char *errname(int err)
{
    const char *name = strerrorname_np(err);
    return name ? name : "EUNKNOWN";
}

static void usage_exit(const char *cmd, const char *args)
{
    fprintf(stderr, "payload: usage: %s %s\n", cmd, args);
    exit(2);
}

static void fail_exit(const char *cmd, const char *what, int err)
{
    fflush(stdout);
    fprintf(stderr, "payload: %s: %s: %s (%s)\n", cmd, what, strerror(err), errname(err));
    exit(1);
}

static int cmd_hostname(int argc, char **argv)
{
    struct utsname u;
    if (uname(&u) < 0)
        fail_exit(argv[0], "uname", errno);
    printf("hostname: %s\n", u.nodename);
    return 0;
}

static int cmd_domainname(int argc, char **argv)
{
    struct utsname u;
    if (uname(&u) < 0)
        fail_exit(argv[0], "uname", errno);
    printf("domainname: %s\n", u.domainname);
    return 0;
}

static int cmd_ids(int argc, char **argv)
{
    gid_t groups[NGROUPS_MAX];
    int n = getgroups(NGROUPS_MAX, groups);
    if (n < 0)
        fail_exit(argv[0], "getgroups", errno);
    printf("uid: %u\ngid: %u\neuid: %u\negid: %u\ngroups:", (unsigned)getuid(), (unsigned)getgid(),
           (unsigned)geteuid(), (unsigned)getegid());
    for (int i = 0; i < n; i++)
        printf(" %u", (unsigned)groups[i]);
    printf("\n");
    return 0;
}

/* Print each line of `path` as "key: f1 f2 f3" with runs of blanks squeezed;
 * the kernel pads /proc/self/uid_map with a varying number of spaces. */
static int print_map(const char *cmd, const char *key, const char *path)
{
    FILE *f = fopen(path, "re");
    char line[256];
    if (f == NULL)
        fail_exit(cmd, path, errno);
    while (fgets(line, sizeof(line), f)) {
        char *tok, *save = NULL;
        printf("%s:", key);
        for (tok = strtok_r(line, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save))
            printf(" %s", tok);
        printf("\n");
    }
    fclose(f);
    return 0;
}

static int cmd_uidmap(int argc, char **argv)
{
    return print_map(argv[0], "uidmap", "/proc/self/uid_map");
}

static int cmd_gidmap(int argc, char **argv)
{
    return print_map(argv[0], "gidmap", "/proc/self/gid_map");
}

/* Print the lines of /proc/self/status whose key is in `keys`, as "Key: value"
 * with the kernel's tab replaced by one space. */
static void print_status(const char *cmd, const char *const *keys)
{
    FILE *f = fopen("/proc/self/status", "re");
    char line[512];
    if (f == NULL)
        fail_exit(cmd, "/proc/self/status", errno);
    while (fgets(line, sizeof(line), f)) {
        char *colon = strchr(line, ':');
        if (colon == NULL)
            continue;
        *colon = '\0';
        for (const char *const *k = keys; *k; k++) {
            if (strcmp(line, *k) == 0) {
                char *value = colon + 1;
                value += strspn(value, " \t");
                value[strcspn(value, "\n")] = '\0';
                printf("%s: %s\n", line, value);
            }
        }
    }
    fclose(f);
}

static int cmd_caps(int argc, char **argv)
{
    static const char *const keys[] = {"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", NULL};
    print_status(argv[0], keys);
    return 0;
}

static int cmd_nnp(int argc, char **argv)
{
    int r = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
    if (r < 0)
        fail_exit(argv[0], "prctl(PR_GET_NO_NEW_PRIVS)", errno);
    printf("nnp: %d\n", r);
    return 0;
}

/* A directory is writable if a file can be created in it (and removed); any
 * other path if it opens for writing.  Nothing existing is modified. */
static int cmd_writable(int argc, char **argv)
{
    struct stat st;
    int fd, err = 0;
    if (argc != 2)
        usage_exit(argv[0], "PATH");
    const char *path = argv[1];
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        char tmpl[PATH_MAX];
        if (snprintf(tmpl, sizeof(tmpl), "%s/.payload-XXXXXX", path) >= (int)sizeof(tmpl))
            usage_exit(argv[0], "PATH (shorter)");
        fd = mkostemp(tmpl, O_CLOEXEC);
        if (fd < 0) {
            err = errno;
        } else {
            close(fd);
            if (unlink(tmpl) < 0)
                err = errno;
        }
    } else {
        fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
            err = errno;
        else
            close(fd);
    }
    if (err)
        printf("writable: %s no (%s)\n", path, errname(err));
    else
        printf("writable: %s yes\n", path);
    return 0;
}

static int cmd_exists(int argc, char **argv)
{
    struct stat st;
    if (argc != 2)
        usage_exit(argv[0], "PATH");
    if (lstat(argv[1], &st) == 0)
        printf("exists: %s yes\n", argv[1]);
    else
        printf("exists: %s no (%s)\n", argv[1], errname(errno));
    return 0;
}

static int cmd_cat(int argc, char **argv)
{
    char buf[8192];
    ssize_t n;
    if (argc != 2)
        usage_exit(argv[0], "PATH");
    int fd = open(argv[1], O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        fail_exit(argv[0], argv[1], errno);
    fflush(stdout);
    while ((n = read(fd, buf, sizeof(buf))) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            fail_exit(argv[0], argv[1], errno);
        if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
            fail_exit(argv[0], "write", errno);
    }
    close(fd);
    return 0;
}

static int cmd_env(int argc, char **argv)
{
    for (char **e = environ; *e; e++)
        printf("env: %s\n", *e);
    return 0;
}

static int cmd_cwd(int argc, char **argv)
{
    char buf[PATH_MAX];
    if (getcwd(buf, sizeof(buf)) == NULL)
        fail_exit(argv[0], "getcwd", errno);
    printf("cwd: %s\n", buf);
    return 0;
}

static int cmd_umask(int argc, char **argv)
{
    mode_t m = umask(0);
    umask(m);
    printf("umask: %04o\n", (unsigned)m);
    return 0;
}

static int cmd_pid(int argc, char **argv)
{
    printf("pid: %d\nppid: %d\n", (int)getpid(), (int)getppid());
    return 0;
}

/* keyring: the session keyring's serial and description. */
static int cmd_keyring(int argc, char **argv)
{
    (void)argc;
    long id = syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3 /* session */, 0);
    if (id < 0)
        fail_exit(argv[0], "KEYCTL_GET_KEYRING_ID", errno);
    char desc[512] = "";
    long n = syscall(SYS_keyctl, 6 /* KEYCTL_DESCRIBE */, id, desc, sizeof(desc) - 1);
    if (n < 0)
        fail_exit(argv[0], "KEYCTL_DESCRIBE", errno);
    /* type;uid;gid;perm;description */
    const char *name = strrchr(desc, ';');
    printf("keyring: %ld %s\n", id, name ? name + 1 : desc);
    return 0;
}

/* clang-format off */
#define RL(name) {#name, RLIMIT_##name}
/* clang-format on */
static const struct {
    const char *name;
    int resource;
} rlimits[] = {
    RL(AS),   RL(CORE),   RL(CPU),   RL(DATA), RL(FSIZE),  RL(LOCKS),  RL(MEMLOCK),    RL(MSGQUEUE),
    RL(NICE), RL(NOFILE), RL(NPROC), RL(RSS),  RL(RTPRIO), RL(RTTIME), RL(SIGPENDING), RL(STACK),
};

static void print_rlim(rlim_t v)
{
    if (v == RLIM_INFINITY)
        printf(" unlimited");
    else
        printf(" %llu", (unsigned long long)v);
}

/* rlimit NOFILE (or RLIMIT_NOFILE, any case): "rlimit: NOFILE SOFT HARD". */
static int cmd_rlimit(int argc, char **argv)
{
    struct rlimit rl;
    if (argc != 2)
        usage_exit(argv[0], "NAME (e.g. NOFILE)");
    const char *name = argv[1];
    if (strncasecmp(name, "RLIMIT_", 7) == 0)
        name += 7;
    for (size_t i = 0; i < sizeof(rlimits) / sizeof(rlimits[0]); i++) {
        if (strcasecmp(name, rlimits[i].name) != 0)
            continue;
        if (getrlimit(rlimits[i].resource, &rl) < 0)
            fail_exit(argv[0], name, errno);
        printf("rlimit: %s", rlimits[i].name);
        print_rlim(rl.rlim_cur);
        print_rlim(rl.rlim_max);
        printf("\n");
        return 0;
    }
    usage_exit(argv[0], "NAME (unknown resource)");
    return 2;
}

static int compare_int(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

static int cmd_fds(int argc, char **argv)
{
    int fds[4096];
    size_t n = 0;
    DIR *d = opendir("/proc/self/fd");
    struct dirent *de;
    if (d == NULL)
        fail_exit(argv[0], "/proc/self/fd", errno);
    while ((de = readdir(d)) != NULL && n < sizeof(fds) / sizeof(fds[0])) {
        if (!isdigit((unsigned char)de->d_name[0]))
            continue;
        int fd = atoi(de->d_name);
        if (fd != dirfd(d))
            fds[n++] = fd;
    }
    closedir(d);
    qsort(fds, n, sizeof(fds[0]), compare_int);
    printf("fds:");
    for (size_t i = 0; i < n; i++)
        printf(" %d", fds[i]);
    printf("\n");
    return 0;
}

/* "mount: MOUNTPOINT FSTYPE OPTIONS" for each line of mountinfo, where
 * OPTIONS are the per-mount options (ro, nosuid, ...).  Fields: id parent
 * major:minor root mountpoint options [optional...] - fstype source super. */
static int cmd_mounts(int argc, char **argv)
{
    FILE *f = fopen("/proc/self/mountinfo", "re");
    char line[4096];
    if (f == NULL)
        fail_exit(argv[0], "/proc/self/mountinfo", errno);
    while (fgets(line, sizeof(line), f)) {
        char *field[16], *save = NULL, *tok;
        int n = 0;
        for (tok = strtok_r(line, " \n", &save); tok && n < 16; tok = strtok_r(NULL, " \n", &save))
            field[n++] = tok;
        int sep = 6;
        while (sep < n && strcmp(field[sep], "-") != 0)
            sep++;
        if (sep + 1 >= n)
            continue;
        printf("mount: %s %s %s\n", field[4], field[sep + 1], field[5]);
    }
    fclose(f);
    return 0;
}

static int compare_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmd_ns(int argc, char **argv)
{
    char names[32][NAME_MAX + 1];
    char *sorted[32];
    size_t n = 0;
    DIR *d = opendir("/proc/self/ns");
    struct dirent *de;
    if (d == NULL)
        fail_exit(argv[0], "/proc/self/ns", errno);
    while ((de = readdir(d)) != NULL && n < 32) {
        if (de->d_name[0] == '.')
            continue;
        snprintf(names[n], sizeof(names[n]), "%s", de->d_name);
        sorted[n] = names[n];
        n++;
    }
    closedir(d);
    qsort(sorted, n, sizeof(sorted[0]), compare_str);
    for (size_t i = 0; i < n; i++) {
        char path[sizeof("/proc/self/ns/") + NAME_MAX], target[128];
        snprintf(path, sizeof(path), "/proc/self/ns/%s", sorted[i]);
        ssize_t len = readlink(path, target, sizeof(target) - 1);
        if (len < 0)
            fail_exit(argv[0], path, errno);
        target[len] = '\0';
        printf("ns: %s %s\n", sorted[i], target);
    }
    return 0;
}

static int cmd_exit(int argc, char **argv)
{
    char *end;
    if (argc != 2)
        usage_exit(argv[0], "STATUS");
    long status = strtol(argv[1], &end, 10);
    if (*argv[1] == '\0' || *end || status < 0 || status > 255)
        usage_exit(argv[0], "STATUS (0-255)");
    fflush(stdout);
    exit((int)status);
}

static int parse_seconds(const char *s, struct timespec *ts)
{
    char *end;
    errno = 0;
    double secs = strtod(s, &end);
    if (*s == '\0' || *end || errno || secs < 0 || secs > 1e6)
        return -1;
    ts->tv_sec = (time_t)secs;
    ts->tv_nsec = (long)((secs - (double)ts->tv_sec) * 1e9);
    return 0;
}

static int cmd_sleep(int argc, char **argv)
{
    struct timespec ts;
    if (argc != 2 || parse_seconds(argv[1], &ts) < 0)
        usage_exit(argv[0], "SECONDS");
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
    return 0;
}

static const struct {
    int sig;
    const char *name;
} wait_signals[] = {
    {SIGHUP, "HUP"},   {SIGINT, "INT"},   {SIGQUIT, "QUIT"}, {SIGUSR1, "USR1"},
    {SIGUSR2, "USR2"}, {SIGTERM, "TERM"}, {SIGALRM, "ALRM"},
};

/* Pid 1 of a pid namespace ignores every signal it has no handler for, so
 * the tests of `kill` need a process that handles them.  The signals are
 * blocked and taken with sigtimedwait: no async-signal-safety concerns. */
static int cmd_wait_signal(int argc, char **argv)
{
    struct timespec ts = {.tv_sec = 3600};
    sigset_t set;
    if (argc > 2 || (argc == 2 && parse_seconds(argv[1], &ts) < 0))
        usage_exit(argv[0], "[TIMEOUT_SECONDS]");
    sigemptyset(&set);
    for (size_t i = 0; i < sizeof(wait_signals) / sizeof(wait_signals[0]); i++)
        sigaddset(&set, wait_signals[i].sig);
    if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
        fail_exit(argv[0], "sigprocmask", errno);
    printf("wait-signal: ready\n");
    fflush(stdout);
    for (;;) {
        int sig = sigtimedwait(&set, NULL, &ts);
        if (sig < 0 && errno == EINTR)
            continue;
        if (sig < 0 && errno == EAGAIN) {
            printf("signal: none (timed out)\n");
            fflush(stdout);
            exit(124);
        }
        if (sig < 0)
            fail_exit(argv[0], "sigtimedwait", errno);
        for (size_t i = 0; i < sizeof(wait_signals) / sizeof(wait_signals[0]); i++) {
            if (wait_signals[i].sig == sig)
                printf("signal: %s\n", wait_signals[i].name);
        }
        fflush(stdout);
        exit(128 + sig);
    }
}

static int cmd_touch(int argc, char **argv)
{
    if (argc != 2)
        usage_exit(argv[0], "PATH");
    int fd = open(argv[1], O_WRONLY | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
    if (fd < 0)
        fail_exit(argv[0], argv[1], errno);
    close(fd);
    printf("touch: %s\n", argv[1]);
    return 0;
}

static int cmd_rm(int argc, char **argv)
{
    struct stat st;
    if (argc != 2)
        usage_exit(argv[0], "PATH");
    int r = (lstat(argv[1], &st) == 0 && S_ISDIR(st.st_mode)) ? rmdir(argv[1]) : unlink(argv[1]);
    if (r < 0)
        fail_exit(argv[0], argv[1], errno);
    printf("rm: %s\n", argv[1]);
    return 0;
}

static int cmd_echo(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        printf("%s%s", i > 1 ? " " : "", argv[i]);
    printf("\n");
    return 0;
}

/* payload-seccomp.c */
int payload_cmd_syscall(int argc, char **argv);
int payload_cmd_seccomp_agent(int argc, char **argv);
/* payload-net.c */
int payload_cmd_tcp_serve(int argc, char **argv);
int payload_cmd_tcp_get(int argc, char **argv);
int payload_cmd_udp_echo(int argc, char **argv);
int payload_cmd_udp_send(int argc, char **argv);
int payload_cmd_tcp_source(int argc, char **argv);
int payload_cmd_tcp_count(int argc, char **argv);
/* procattr: what burrow's procattr.c sets, read back:
 *   oom_score_adj: N
 *   ioprio: class C priority P          (ioprio_get; class 0 = none set)
 *   sched: POLICY nice N priority P flags 0xF
 *   deadline: runtime R deadline D period T   (SCHED_DEADLINE only)
 *   personality: 0xN                    (personality(0xffffffff))
 *   machine: x86_64                     (uname)
 *   affinity: 0-1                       (sched_getaffinity, as a list)
 *   mempolicy: mode M flags 0xF nodes 0xMASK   (get_mempolicy) */
#include <sched.h>
#include <stdint.h>
#include <sys/personality.h>
#include <sys/syscall.h>

static int cmd_procattr(int argc, char **argv)
{
    static const char *const policies[] = {"SCHED_OTHER",   "SCHED_FIFO", "SCHED_RR",
                                           "SCHED_BATCH",   "SCHED_ISO",  "SCHED_IDLE",
                                           "SCHED_DEADLINE"};
    char buf[64] = "";
    int fd = open("/proc/self/oom_score_adj", O_RDONLY | O_CLOEXEC);
    if (fd < 0 || read(fd, buf, sizeof(buf) - 1) < 0)
        fail_exit(argv[0], "read /proc/self/oom_score_adj", errno);
    close(fd);
    printf("oom_score_adj: %ld\n", strtol(buf, NULL, 10));
    long io = syscall(SYS_ioprio_get, 1 /* IOPRIO_WHO_PROCESS */, 0);
    if (io < 0)
        fail_exit(argv[0], "ioprio_get", errno);
    printf("ioprio: class %ld priority %ld\n", io >> 13, io & 7);
    struct {
        uint32_t size, policy;
        uint64_t flags;
        int32_t nice;
        uint32_t priority;
        uint64_t runtime, deadline, period;
        uint32_t util_min, util_max;
    } at = {0};
    if (syscall(SYS_sched_getattr, 0, &at, sizeof(at), 0) < 0)
        fail_exit(argv[0], "sched_getattr", errno);
    printf("sched: %s nice %d priority %u flags 0x%llx\n",
           at.policy < 7 ? policies[at.policy] : "?", at.nice, at.priority,
           (unsigned long long)at.flags);
    if (at.policy == 6)
        printf("deadline: runtime %llu deadline %llu period %llu\n", (unsigned long long)at.runtime,
               (unsigned long long)at.deadline, (unsigned long long)at.period);
    printf("personality: 0x%04x\n", (unsigned)personality(0xffffffff));
    struct utsname u;
    if (uname(&u) < 0)
        fail_exit(argv[0], "uname", errno);
    printf("machine: %s\n", u.machine);
    cpu_set_t cpus;
    if (sched_getaffinity(0, sizeof(cpus), &cpus) < 0)
        fail_exit(argv[0], "sched_getaffinity", errno);
    printf("affinity:");
    for (int i = 0, sep = ' '; i < CPU_SETSIZE; i++) {
        if (!CPU_ISSET(i, &cpus) || (i > 0 && CPU_ISSET(i - 1, &cpus)))
            continue;
        int j = i;
        while (j + 1 < CPU_SETSIZE && CPU_ISSET(j + 1, &cpus))
            j++;
        printf(j > i ? "%c%d-%d" : "%c%d", sep, i, j);
        sep = ',';
    }
    printf("\n");
    int mode = 0;
    unsigned long nodes[16] = {0};
    if (syscall(SYS_get_mempolicy, &mode, nodes, sizeof(nodes) * 8, NULL, 0) < 0)
        fail_exit(argv[0], "get_mempolicy", errno);
    printf("mempolicy: mode %d flags 0x%x nodes 0x%lx\n", mode & 0xff, mode & ~0xff, nodes[0]);
    return 0;
}

/* Whole seconds of CLOCK_MONOTONIC and CLOCK_BOOTTIME (a time namespace
 * offsets both). */
static int cmd_clocks(int argc, char **argv)
{
    struct timespec m, b;
    if (argc != 1)
        usage_exit(argv[0], "");
    if (clock_gettime(CLOCK_MONOTONIC, &m) < 0 || clock_gettime(CLOCK_BOOTTIME, &b) < 0)
        fail_exit(argv[0], "clock_gettime", errno);
    printf("clock: monotonic %lld\nclock: boottime %lld\n", (long long)m.tv_sec,
           (long long)b.tv_sec);
    return 0;
}

/* clang-format off */
#define CMD(name) {#name, cmd_##name}
/* clang-format on */
static const struct {
    const char *name;
    int (*fn)(int argc, char **argv);
} commands[] = {
    CMD(hostname),
    CMD(domainname),
    CMD(ids),
    CMD(uidmap),
    CMD(gidmap),
    CMD(caps),
    CMD(nnp),
    CMD(writable),
    CMD(exists),
    CMD(cat),
    CMD(env),
    CMD(cwd),
    CMD(umask),
    CMD(pid),
    CMD(rlimit),
    CMD(fds),
    CMD(mounts),
    CMD(ns),
    CMD(exit),
    CMD(sleep),
    CMD(touch),
    CMD(rm),
    CMD(echo),
    CMD(keyring),
    {"wait-signal", cmd_wait_signal},
    {"syscall", payload_cmd_syscall},
    {"seccomp-agent", payload_cmd_seccomp_agent},
    CMD(procattr),
    CMD(clocks),
    {"tcp-serve", payload_cmd_tcp_serve},
    {"tcp-get", payload_cmd_tcp_get},
    {"udp-echo", payload_cmd_udp_echo},
    {"udp-send", payload_cmd_udp_send},
    {"tcp-source", payload_cmd_tcp_source},
    {"tcp-count", payload_cmd_tcp_count},
};

int payload_console_run(int argc, char **argv);

static int run_one(int argc, char **argv)
{
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(commands[i].name, argv[0]) == 0) {
            int r = commands[i].fn(argc, argv);
            if (fflush(stdout) != 0)
                fail_exit(argv[0], "write to stdout", errno);
            return r;
        }
    }
    int r = payload_console_run(argc, argv); /* tests/payload/console.c */
    if (r >= 0)
        return r;
    fflush(stdout);
    fprintf(stderr, "payload: unknown subcommand \"%s\"\n", argv[0]);
    exit(127);
}

int main(int argc, char **argv)
{
    const char *base = strrchr(argv[0], '/');
    base = base ? base + 1 : argv[0];
    int i = 1;

    if (strcmp(base, "payload") != 0) {
        i = 0; /* called through a link named after the subcommand */
        argv[0] = (char *)base;
    } else if (argc < 2) {
        fprintf(stderr, "usage: payload SUBCOMMAND [ARGS...] [-- SUBCOMMAND [ARGS...]]...\n");
        return 2;
    }
    /* Each run of arguments up to a "--" is one subcommand; the "--" is
     * replaced by the NULL that ends its argv. */
    while (i < argc) {
        int start = i;
        while (i < argc && strcmp(argv[i], "--") != 0)
            i++;
        argv[i] = NULL;
        if (i > start) {
            int r = run_one(i - start, argv + start);
            if (r != 0)
                return r;
        }
        i++;
    }
    return 0;
}
