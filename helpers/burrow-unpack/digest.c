/* burrow-unpack: sha256 through libcrypto (OpenSSL).
 *
 * Why a library: a digest is checked over every byte of every blob, so the
 * hashing speed is the unpack speed of an uncompressed layer; libcrypto
 * has SHA-NI/AVX2 code for it, and it is on every distribution already. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "unpack.h"

struct bw_sha256 {
    EVP_MD_CTX *ctx;
};

struct bw_sha256 *bw_sha256_new(void)
{
    struct bw_sha256 *h = calloc(1, sizeof(*h));
    if (h == NULL)
        return NULL;
    h->ctx = EVP_MD_CTX_new();
    if (h->ctx == NULL || EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1) {
        bw_sha256_free(h);
        return NULL;
    }
    return h;
}

void bw_sha256_update(struct bw_sha256 *h, const void *data, size_t len)
{
    EVP_DigestUpdate(h->ctx, data, len);
}

void bw_sha256_finish(struct bw_sha256 *h, char out[72])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_DigestFinal_ex(h->ctx, md, &n);
    strcpy(out, "sha256:");
    for (unsigned int i = 0; i < n && i < 32; i++)
        snprintf(out + 7 + 2 * i, 3, "%02x", md[i]);
    bw_sha256_free(h);
}

void bw_sha256_free(struct bw_sha256 *h)
{
    if (h == NULL)
        return;
    EVP_MD_CTX_free(h->ctx);
    free(h);
}

bool bw_digest_valid(const char *d)
{
    if (d == NULL || strncmp(d, "sha256:", 7) != 0 || strlen(d) != 7 + 64)
        return false;
    for (const char *p = d + 7; *p != '\0'; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return false;
    return true;
}
