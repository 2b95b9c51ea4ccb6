/* The device layer: listing, choosing by index / $CLAE_DEVICE, and the
 * program-binary cache (a corrupt entry is rebuilt, never trusted). */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "device_or_skip.h"
#include "io/fsutil.h"

static char cache_dir[] = "/tmp/clae_test_cache_XXXXXX";

static void test_list_and_choose(clae_ctx *ctx)
{
    clae_device_info *infos = NULL;
    int count = 0;
    REQUIRE(clae_device_list(ctx, &infos, &count) == CLAE_OK);
    CHECK(count >= 1);
    for (int i = 0; i < count; i++) {
        CHECK(infos[i].index == i);
        CHECK(infos[i].name[0] != '\0');
        CHECK(infos[i].compute_units > 0);
        CHECK(infos[i].max_work_group_size > 0);
    }
    free(infos);

    int index = -1;
    unsetenv("CLAE_DEVICE");
    CHECK(clae_device_choose(ctx, "0", &index) == CLAE_OK && index == 0);
    CHECK(clae_device_choose(ctx, "99", &index) == CLAE_ENODEVICE);
    char want[128];
    snprintf(want, sizeof want, "device 99 does not exist (%d device%s; see clae list-devices)",
             count, count == 1 ? "" : "s");
    CHECK_STR(clae_ctx_message(ctx), want);
    CHECK(clae_device_choose(ctx, "-1", &index) == CLAE_EUSAGE);
    CHECK_STR(clae_ctx_message(ctx), "--device: expected a device index, got \"-1\"");
    setenv("CLAE_DEVICE", "zero", 1);
    CHECK(clae_device_choose(ctx, NULL, &index) == CLAE_EUSAGE);
    CHECK_STR(clae_ctx_message(ctx), "CLAE_DEVICE: expected a device index, got \"zero\"");
    setenv("CLAE_DEVICE", "0", 1);
    CHECK(clae_device_choose(ctx, NULL, &index) == CLAE_OK && index == 0);
    unsetenv("CLAE_DEVICE");
}

/* The single cache entry's path, or "" when there is none. */
static void find_entry(char *path, size_t size)
{
    char dir[256];
    snprintf(dir, sizeof dir, "%s/clae", cache_dir);
    path[0] = '\0';
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strstr(e->d_name, ".clbin")) snprintf(path, size, "%s/%s", dir, e->d_name);
    closedir(d);
}

static int open_and_close(clae_ctx *ctx)
{
    int index = 0;
    clae_device *dev = NULL;
    if (clae_device_choose(ctx, NULL, &index) != CLAE_OK) return 0;
    if (clae_device_open(ctx, index, &dev) != CLAE_OK) {
        fprintf(stderr, "%s\n", clae_ctx_message(ctx));
        return 0;
    }
    clae_device_close(dev);
    return 1;
}

static void test_cache(clae_ctx *ctx)
{
    REQUIRE(mkdtemp(cache_dir) != NULL);
    setenv("XDG_CACHE_HOME", cache_dir, 1);
    REQUIRE(open_and_close(ctx));
    char entry[512];
    find_entry(entry, sizeof entry);
    REQUIRE(entry[0] != '\0');
    char *good = NULL;
    size_t good_size = 0;
    REQUIRE(clae__read_file(ctx, entry, &good, &good_size) == CLAE_OK);
    CHECK(good_size > 24);

    /* a hit: opening again leaves the entry as it was */
    CHECK(open_and_close(ctx));

    /* corrupt entries: flipped payload byte, truncated file, garbage */
    const size_t cuts[] = {good_size / 2, 5};
    for (int variant = 0; variant < 3; variant++) {
        FILE *f = fopen(entry, "wb");
        REQUIRE(f != NULL);
        if (variant == 0) {
            good[good_size - 1] ^= 0x5a;
            fwrite(good, 1, good_size, f);
            good[good_size - 1] ^= 0x5a;
        } else {
            fwrite(good, 1, cuts[variant - 1], f);
        }
        fclose(f);
        CHECK(open_and_close(ctx)); /* rebuilt from source */
        char *now = NULL;
        size_t now_size = 0;
        REQUIRE(clae__read_file(ctx, entry, &now, &now_size) == CLAE_OK);
        CHECK(now_size == good_size); /* and rewritten whole */
        free(now);
    }
    free(good);
    check_remove_tree(cache_dir);
}

int main(void)
{
    clae_ctx *ctx = clae_ctx_create();
    clae_device_close(open_device_or_skip(ctx));
    test_list_and_choose(ctx);
    test_cache(ctx);
    clae_ctx_destroy(ctx);
    return check_finish();
}
