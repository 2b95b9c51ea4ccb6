/* The IDX reader, images and labels, plain or gzipped (told by the magic
 * bytes). A plain input is also read gzipped, so that the IDX checks behind
 * the decompression see the same variety as those in front of it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "clae/data.h"
#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void read_idx(const uint8_t *data, size_t size)
{
    clae_dataset ds;
    if (clae_idx_parse_images(fuzz_ctx(), "fuzz.idx", data, size, NULL, &ds) == CLAE_OK)
        clae_dataset_free(&ds);
    /* Labels for as many images as the header's count says, so the count matches. */
    memset(&ds, 0, sizeof ds);
    if (size >= 8)
        ds.count = (size_t)data[4] << 24 | (size_t)data[5] << 16 | (size_t)data[6] << 8 | data[7];
    clae_idx_parse_labels(fuzz_ctx(), "fuzz-labels.idx", data, size, &ds);
    clae_dataset_free(&ds);
    /* The same bytes as a file, bounded: the file path's chunked reads, the
     * early stop and the first labels of a longer file. */
    const char *path = fuzz_write("fuzz.idx", data, size);
    clae_data_bounds bounds = fuzz_bounds(data, size);
    if (clae_idx_read_images(fuzz_ctx(), path, &bounds, &ds) == CLAE_OK) {
        clae_idx_read_labels(fuzz_ctx(), path, &ds);
        clae_dataset_free(&ds);
    }
}

/* data as a gzip stream (malloc'd), or NULL. */
static unsigned char *gzip(const uint8_t *data, size_t size, size_t *out_size)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, Z_BEST_SPEED, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return NULL;
    size_t cap = deflateBound(&zs, (uLong)size);
    unsigned char *out = malloc(cap);
    zs.next_in = (Bytef *)data;
    zs.avail_in = (uInt)size;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    int done = out && deflate(&zs, Z_FINISH) == Z_STREAM_END;
    *out_size = cap - zs.avail_out;
    deflateEnd(&zs);
    if (!done) {
        free(out);
        return NULL;
    }
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    read_idx(data, size);
    if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b) return 0;
    size_t gz_size;
    unsigned char *gz = gzip(data, size, &gz_size);
    if (gz) read_idx(gz, gz_size);
    free(gz);
    return 0;
}
