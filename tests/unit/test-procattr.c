/* burrow: unit tests of src/linux/procattr.c: the CPU and node list parser
 * behind process.execCPUAffinity and linux.memoryPolicy.nodes. */
#include <config.h>

#include "linux/procattr.h"
#include "unit.h"

#define NBITS 128

/* The set bits of `m` as "a,b,c". */
static const char *bits(const unsigned long *m, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (unsigned long i = 0; i < NBITS; i++)
        if ((m[i / BW_LONG_BITS] >> (i % BW_LONG_BITS)) & 1UL)
            n += (size_t)snprintf(buf + n, size - n, "%s%lu", n ? "," : "", i);
    return buf;
}

static enum unit_result test_id_list_valid(struct unit *u)
{
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"", ""},
        {"   ", ""},
        {"0", "0"},
        {"0-3,7", "0,1,2,3,7"},
        {" 1 - 2 , 5 ", "1,2,5"},
        {"3,3,2-3", "2,3"},
        {"127", "127"},
        {"64-65", "64,65"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        unsigned long m[NBITS / BW_LONG_BITS], over = 0;
        char buf[512];
        if (bw_id_list_parse(cases[i].in, m, NBITS, &over) != 0)
            return unit_fail(u, "\"%s\": refused", cases[i].in);
        UNIT_ASSERT_STR_EQ(u, bits(m, buf, sizeof(buf)), cases[i].want);
    }
    return UNIT_PASS;
}

static enum unit_result test_id_list_invalid(struct unit *u)
{
    static const char *const bad[] = {"-1", "0-", "3-1", "1,", ",1", "1,,2", "a", "1 2", "0x1"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        unsigned long m[NBITS / BW_LONG_BITS], over = 0;
        if (bw_id_list_parse(bad[i], m, NBITS, &over) != -1)
            return unit_fail(u, "\"%s\": not refused as bad syntax", bad[i]);
    }
    return UNIT_PASS;
}

static enum unit_result test_id_list_too_large(struct unit *u)
{
    unsigned long m[NBITS / BW_LONG_BITS], over = 0;
    UNIT_ASSERT(u, bw_id_list_parse("0,128", m, NBITS, &over) == -2 && over == 128);
    UNIT_ASSERT(u, bw_id_list_parse("100-200", m, NBITS, &over) == -2 && over == 128);
    UNIT_ASSERT(u, bw_id_list_parse("99999999999999999999999", m, NBITS, &over) == -2);
    return UNIT_PASS;
}

static const struct unit_test tests[] = {
    UNIT_TEST(id_list_valid),
    UNIT_TEST(id_list_invalid),
    UNIT_TEST(id_list_too_large),
};

int main(int argc, char **argv)
{
    return unit_main(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
