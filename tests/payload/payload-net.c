/* payload: small network clients and servers for tests/integration/network.sh.
 * Addresses are numeric (no DNS); every wait has a timeout.
 *
 *   tcp-serve PORT TEXT [SECS]   listen on 127.0.0.1:PORT, print
 *                                `tcp-serve: ready`, answer each connection
 *                                with TEXT until SECS (default 20) pass
 *   tcp-get ADDR PORT [SECS]     connect, print `tcp-get: DATA` with what was
 *                                received, or `tcp-get: failed (ERRNO)`, exit 1
 *   udp-echo PORT                bind 0.0.0.0:PORT, print `udp-echo: ready`,
 *                                send back a datagram, print `udp-echo: DATA`,
 *                                echo repeats until 1 s passes without any
 *   udp-send ADDR PORT MSG [N]   send MSG every 0.2 s until a reply (N times, 50),
 *                                print `udp-reply: DATA`
 *   tcp-source PORT MB           (benchmark) bind 0.0.0.0:PORT, print
 *                                `tcp-source: ready`, send MB MiB to the first
 *                                connection, exit
 *   tcp-count ADDR PORT          (benchmark) connect (retrying for 10 s), read
 *                                to EOF, print `tcp-count: BYTES SECONDS MB/s`
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int payload_cmd_tcp_serve(int argc, char **argv);
int payload_cmd_tcp_get(int argc, char **argv);
int payload_cmd_udp_echo(int argc, char **argv);
int payload_cmd_udp_send(int argc, char **argv);
int payload_cmd_tcp_source(int argc, char **argv);
int payload_cmd_tcp_count(int argc, char **argv);

static int addr_of(const char *host, const char *port, struct sockaddr_in *sa)
{
    memset(sa, 0, sizeof(*sa));
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)atoi(port));
    return inet_pton(AF_INET, host, &sa->sin_addr) == 1 ? 0 : -1;
}

static int usage(const char *cmd)
{
    fprintf(stderr, "payload %s: bad arguments\n", cmd);
    return 2;
}

int payload_cmd_tcp_serve(int argc, char **argv)
{
    struct sockaddr_in sa;
    if ((argc != 3 && argc != 4) || addr_of("127.0.0.1", argv[1], &sa) < 0)
        return usage(argv[0]);
    int secs = argc == 4 ? atoi(argv[3]) : 20;
    int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(s, 8) < 0) {
        fprintf(stderr, "payload tcp-serve: %s\n", strerror(errno));
        return 1;
    }
    printf("tcp-serve: ready\n");
    fflush(stdout);
    time_t end = time(NULL) + secs;
    while (time(NULL) < end) {
        struct pollfd p = {.fd = s, .events = POLLIN};
        if (poll(&p, 1, 200) <= 0)
            continue;
        int c = accept(s, NULL, NULL);
        if (c < 0)
            continue;
        if (write(c, argv[2], strlen(argv[2])) < 0)
            perror("write");
        close(c);
    }
    return 0;
}

int payload_cmd_tcp_get(int argc, char **argv)
{
    struct sockaddr_in sa;
    if ((argc != 3 && argc != 4) || addr_of(argv[1], argv[2], &sa) < 0)
        return usage(argv[0]);
    int secs = argc == 4 ? atoi(argv[3]) : 5;
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct timeval tv = {.tv_sec = secs};
    setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        printf("tcp-get: failed (%s)\n", strerror(errno));
        return 1;
    }
    char buf[4096];
    size_t used = 0;
    ssize_t n;
    while (used < sizeof(buf) - 1 && (n = read(s, buf + used, sizeof(buf) - 1 - used)) > 0)
        used += (size_t)n;
    buf[used] = '\0';
    if (used == 0) {
        printf("tcp-get: failed (no data)\n");
        return 1;
    }
    printf("tcp-get: %s\n", buf);
    return 0;
}

int payload_cmd_udp_echo(int argc, char **argv)
{
    struct sockaddr_in sa;
    if (argc != 2 || addr_of("0.0.0.0", argv[1], &sa) < 0)
        return usage(argv[0]);
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        fprintf(stderr, "payload udp-echo: %s\n", strerror(errno));
        return 1;
    }
    printf("udp-echo: ready\n");
    fflush(stdout);
    char buf[2048];
    struct sockaddr_in from;
    socklen_t fl = sizeof(from);
    ssize_t n = recvfrom(s, buf, sizeof(buf) - 1, 0, (struct sockaddr *)&from, &fl);
    if (n < 0)
        return 1;
    buf[n] = '\0';
    sendto(s, buf, (size_t)n, 0, (struct sockaddr *)&from, fl);
    printf("udp-echo: %s\n", buf);
    fflush(stdout);
    /* Linger, echoing repeats: the reply must get out before the network
     * goes with this process. */
    struct pollfd p = {.fd = s, .events = POLLIN};
    while (poll(&p, 1, 1000) > 0) {
        fl = sizeof(from);
        n = recvfrom(s, buf, sizeof(buf) - 1, 0, (struct sockaddr *)&from, &fl);
        if (n > 0)
            sendto(s, buf, (size_t)n, 0, (struct sockaddr *)&from, fl);
    }
    return 0;
}

int payload_cmd_udp_send(int argc, char **argv)
{
    struct sockaddr_in sa;
    if ((argc != 4 && argc != 5) || addr_of(argv[1], argv[2], &sa) < 0)
        return usage(argv[0]);
    int tries = argc == 5 ? atoi(argv[4]) : 50;
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    for (int i = 0; i < tries; i++) {
        sendto(s, argv[3], strlen(argv[3]), 0, (struct sockaddr *)&sa, sizeof(sa));
        struct pollfd p = {.fd = s, .events = POLLIN};
        if (poll(&p, 1, 200) > 0) {
            char buf[2048];
            ssize_t n = recv(s, buf, sizeof(buf) - 1, 0);
            if (n >= 0) {
                buf[n] = '\0';
                printf("udp-reply: %s\n", buf);
                return 0;
            }
        }
    }
    printf("udp-reply: none\n");
    return 1;
}

int payload_cmd_tcp_source(int argc, char **argv)
{
    struct sockaddr_in sa;
    if (argc != 3 || addr_of("0.0.0.0", argv[1], &sa) < 0)
        return usage(argv[0]);
    long long left = atoll(argv[2]) << 20;
    int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(s, 1) < 0) {
        fprintf(stderr, "payload tcp-source: %s\n", strerror(errno));
        return 1;
    }
    printf("tcp-source: ready\n");
    fflush(stdout);
    int c = accept(s, NULL, NULL);
    if (c < 0)
        return 1;
    static char buf[1 << 16];
    while (left > 0) {
        ssize_t n = write(c, buf, left < (long long)sizeof(buf) ? (size_t)left : sizeof(buf));
        if (n <= 0)
            return 1;
        left -= n;
    }
    close(c);
    return 0;
}

int payload_cmd_tcp_count(int argc, char **argv)
{
    struct sockaddr_in sa;
    if (argc != 3 || addr_of(argv[1], argv[2], &sa) < 0)
        return usage(argv[0]);
    int s = -1;
    for (int i = 0; i < 100; i++) {
        s = socket(AF_INET, SOCK_STREAM, 0);
        if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) == 0)
            break;
        close(s);
        s = -1;
        struct timespec ts = {0, 100 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    if (s < 0) {
        printf("tcp-count: failed (%s)\n", strerror(errno));
        return 1;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    static char buf[1 << 16];
    long long total = 0;
    ssize_t n;
    while ((n = read(s, buf, sizeof(buf))) > 0)
        total += n;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("tcp-count: %lld %.3f %.1f\n", total, secs, (double)total / 1048576.0 / secs);
    return 0;
}
