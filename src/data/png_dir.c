/* Folders of PNG images: the files directly in a folder (no labels), or one
 * sub-folder per class. Names are sorted byte-wise (not by locale) so that
 * every machine loads the same order. Hidden entries (".name") and files
 * without a .png extension are skipped.
 *
 * Class folders named by numbers ("0", "7", "12") are their labels, so a test
 * folder holding some of the classes labels them as train does. Named class
 * folders ("cat", "dog") are numbered by sorted position, which agrees between
 * two folders only when both hold the same names: a test folder (or --input)
 * beside a train folder of named classes must hold exactly its names
 * (clae__png_dir_same_classes). Numbers and names are never mixed, and two
 * folders may not be the same number ("1" and "01"). */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "clae/data.h"
#include "clae/image.h"
#include "data/reader.h"
#include "io/fsutil.h"

typedef struct {
    char **names;
    size_t n, cap;
} name_list;

static void names_free(name_list *l)
{
    for (size_t i = 0; i < l->n; i++) free(l->names[i]);
    free(l->names);
    memset(l, 0, sizeof *l);
}

static int names_add(name_list *l, const char *s)
{
    if (l->n == l->cap) {
        size_t c = l->cap ? 2 * l->cap : 64;
        char **g = realloc(l->names, c * sizeof *g);
        if (!g) return 0;
        l->names = g;
        l->cap = c;
    }
    size_t len = strlen(s) + 1;
    char *copy = malloc(len);
    if (!copy) return 0;
    memcpy(copy, s, len);
    l->names[l->n++] = copy;
    return 1;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int has_png_ext(const char *name)
{
    size_t n = strlen(name);
    if (n < 5) return 0;
    const char *e = name + n - 4;
    return e[0] == '.' && tolower((unsigned char)e[1]) == 'p' &&
           tolower((unsigned char)e[2]) == 'n' && tolower((unsigned char)e[3]) == 'g';
}

/* The sorted .png files and sub-folders of dir (dirs may be NULL: not wanted). */
static clae_status list_dir(clae_ctx *ctx, const char *dir, name_list *files, name_list *dirs)
{
    DIR *d = opendir(dir);
    if (!d) return clae__fail_open(ctx, dir, errno);
    clae_status st = CLAE_OK;
    char path[4096];
    struct dirent *e;
    while (st == CLAE_OK && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= (int)sizeof path) {
            st = clae__fail(ctx, CLAE_EDATA, "%s/%s: path too long", dir, e->d_name);
            break;
        }
        struct stat sb;
        if (stat(path, &sb) != 0) continue; /* a dangling link is no image */
        int ok = 1;
        if (S_ISDIR(sb.st_mode)) {
            if (dirs) ok = names_add(dirs, e->d_name);
        } else if (S_ISREG(sb.st_mode) && has_png_ext(e->d_name)) {
            ok = names_add(files, e->d_name);
        }
        if (!ok) st = clae__fail(ctx, CLAE_ENOMEM, "%s: out of memory listing", dir);
    }
    closedir(d);
    if (st != CLAE_OK) return st;
    if (files->n > 1) qsort(files->names, files->n, sizeof *files->names, by_name);
    if (dirs && dirs->n > 1) qsort(dirs->names, dirs->n, sizeof *dirs->names, by_name);
    return CLAE_OK;
}

/* The label a class folder's name gives: its number when it is all digits,
 * -1 for a name; a number above the largest label gives INT_MAX. */
static int name_label(const char *s)
{
    if (!*s) return -1;
    long v = 0;
    for (const char *p = s; *p; p++) {
        if (!isdigit((unsigned char)*p)) return -1;
        if (v <= CLAE_DATA_MAX_LABEL) v = v * 10 + (*p - '0');
    }
    return v > CLAE_DATA_MAX_LABEL ? INT_MAX : (int)v;
}

static int by_number(const void *a, const void *b)
{
    const char *s = *(char *const *)a, *t = *(char *const *)b;
    int x = name_label(s), y = name_label(t);
    return x != y ? (x < y ? -1 : 1) : strcmp(s, t); /* "01" before "1": one message */
}

/* Checks the class folder names of dir and orders them: numeric names by
 * number (*numeric = 1), named ones as sorted. */
static clae_status class_order(clae_ctx *ctx, const char *dir, name_list *dirs, int *numeric)
{
    const char *num = NULL, *word = NULL;
    for (size_t i = 0; i < dirs->n; i++) {
        const char *s = dirs->names[i];
        int l = name_label(s);
        if (l == INT_MAX)
            return clae__fail(ctx, CLAE_EDATA,
                              "%s: class folder %s is above the largest label, %d", dir, s,
                              CLAE_DATA_MAX_LABEL);
        if (l < 0 && !word) word = s;
        if (l >= 0 && !num) num = s;
    }
    if (num && word)
        return clae__fail(ctx, CLAE_EDATA,
                          "%s: class folders mix numbers (%s) and names (%s); name every class "
                          "folder by its label number, or none",
                          dir, num, word);
    *numeric = num != NULL;
    if (!*numeric) return CLAE_OK;
    qsort(dirs->names, dirs->n, sizeof *dirs->names, by_number);
    for (size_t i = 1; i < dirs->n; i++)
        if (name_label(dirs->names[i]) == name_label(dirs->names[i - 1]))
            return clae__fail(ctx, CLAE_EDATA, "%s: class folders %s and %s are both label %d",
                              dir, dirs->names[i - 1], dirs->names[i],
                              name_label(dirs->names[i]));
    return CLAE_OK;
}

/* One image to load: its path and label; file r of the n in class c. */
typedef struct {
    char *path;
    int label;
    size_t r, n, c;
} item;

/* Each class spread evenly over the order: file r of n sits at (r + 1/2) / n,
 * ties broken by class. */
static int by_spread(const void *pa, const void *pb)
{
    const item *a = pa, *b = pb;
    size_t x = (2 * a->r + 1) * b->n, y = (2 * b->r + 1) * a->n;
    if (x != y) return x < y ? -1 : 1;
    return a->c < b->c ? -1 : a->c > b->c;
}

/* The images of dir in load order; labels are -1 for a flat folder. */
static clae_status collect(clae_ctx *ctx, const char *dir, item **out, size_t *count, int *labelled)
{
    *out = NULL;
    *count = 0;
    name_list files = {0}, dirs = {0};
    name_list *cls = NULL;
    item *items = NULL;
    size_t n_cls = 0, total = 0;
    int numeric = 0;
    clae_status st = list_dir(ctx, dir, &files, &dirs);
    if (st != CLAE_OK) goto done;
    *labelled = dirs.n > 0;
    if (dirs.n > 0 && files.n > 0) {
        st = clae__fail(ctx, CLAE_EDATA,
                        "%s: holds both PNG files (%s) and sub-folders (%s); put every image in a "
                        "class sub-folder, or use a folder of PNG files alone",
                        dir, files.names[0], dirs.names[0]);
        goto done;
    }
    if (dirs.n == 0) {
        if (files.n == 0) {
            st = clae__fail(ctx, CLAE_EDATA, "%s: no .png files and no class sub-folders", dir);
            goto done;
        }
        cls = calloc(1, sizeof *cls);
        if (!cls) goto oom;
        cls[0] = files;
        memset(&files, 0, sizeof files);
        n_cls = 1;
    } else {
        if (dirs.n > CLAE_DATA_MAX_LABEL + 1) {
            st = clae__fail(ctx, CLAE_EDATA, "%s: %zu class sub-folders, at most %d are allowed",
                            dir, dirs.n, CLAE_DATA_MAX_LABEL + 1);
            goto done;
        }
        st = class_order(ctx, dir, &dirs, &numeric);
        if (st != CLAE_OK) goto done;
        cls = calloc(dirs.n, sizeof *cls);
        if (!cls) goto oom;
        n_cls = dirs.n;
        for (size_t c = 0; c < n_cls; c++) {
            char sub[4096];
            snprintf(sub, sizeof sub, "%s/%s", dir, dirs.names[c]);
            st = list_dir(ctx, sub, &cls[c], NULL);
            if (st != CLAE_OK) goto done;
            if (cls[c].n == 0) {
                st = clae__fail(ctx, CLAE_EDATA, "%s: class folder has no .png files", sub);
                goto done;
            }
        }
    }
    for (size_t c = 0; c < n_cls; c++) total += cls[c].n;
    items = calloc(total, sizeof *items);
    if (!items) goto oom;
    /* Classes interleaved in proportion, so that the held-out tail and any
     * `limit` prefix hold every class in about its share. */
    size_t k = 0;
    for (size_t c = 0; c < n_cls; c++)
        for (size_t r = 0; r < cls[c].n; r++) {
            char path[8192];
            if (*labelled)
                snprintf(path, sizeof path, "%s/%s/%s", dir, dirs.names[c], cls[c].names[r]);
            else
                snprintf(path, sizeof path, "%s/%s", dir, cls[c].names[r]);
            size_t len = strlen(path) + 1;
            items[k].path = malloc(len);
            if (!items[k].path) goto oom;
            memcpy(items[k].path, path, len);
            items[k].label = !*labelled ? -1 : numeric ? name_label(dirs.names[c]) : (int)c;
            items[k].r = r;
            items[k].n = cls[c].n;
            items[k].c = c;
            k++;
        }
    qsort(items, total, sizeof *items, by_spread);
    *out = items;
    *count = total;
    items = NULL;
    goto done;
oom:
    st = clae__fail(ctx, CLAE_ENOMEM, "%s: out of memory listing", dir);
done:
    if (items)
        for (size_t i = 0; i < total; i++) free(items[i].path);
    free(items);
    for (size_t c = 0; c < n_cls; c++) names_free(&cls[c]);
    free(cls);
    names_free(&files);
    names_free(&dirs);
    return st;
}

/* Row i of ds (planar floats) from an image of chan interleaved 8-bit channels. */
static void to_row(const clae_dataset *ds, size_t i, const unsigned char *px, int chan)
{
    float *x = ds->x + i * ds->dim;
    size_t plane = (size_t)ds->width * (size_t)ds->height, c = (size_t)chan;
    for (size_t ch = 0; ch < (size_t)ds->channels; ch++) {
        /* Grey images in a colour set repeat their one channel; alpha is dropped. */
        size_t src = c == 1 ? 0 : ch;
        for (size_t p = 0; p < plane; p++) x[ch * plane + p] = (float)px[p * c + src] / 255.0f;
    }
}

/* Only the first `take` images of the load order are opened at all: their
 * headers give the size and whether the set is grey or colour, the budget is
 * checked, and then each is decoded straight into its row. Images after
 * `take` are listed but never read, so a broken one there goes unnoticed. */
clae_status clae_png_dir_read(clae_ctx *ctx, const char *dir, const clae_data_bounds *bounds,
                              clae_dataset *out)
{
    memset(out, 0, sizeof *out);
    item *items;
    size_t n;
    int labelled = 0;
    clae_status st = collect(ctx, dir, &items, &n, &labelled);
    if (st != CLAE_OK) return st;

    size_t keep = clae__data_keep(bounds, n);
    int *chan = calloc(keep, sizeof *chan);
    clae_dataset ds;
    memset(&ds, 0, sizeof ds);
    snprintf(ds.name, sizeof ds.name, "%s", dir);
    if (!chan) {
        st = clae__fail(ctx, CLAE_ENOMEM, "%s: out of memory for %zu images", dir, keep);
        goto done;
    }
    int w0 = 0, h0 = 0, colour = 0;
    for (size_t i = 0; i < keep; i++) {
        int w, h;
        st = clae_png_read_info(ctx, items[i].path, &w, &h, &chan[i]);
        if (st != CLAE_OK) goto done;
        if (i == 0) {
            w0 = w;
            h0 = h;
        } else if (w != w0 || h != h0) {
            st = clae__fail(ctx, CLAE_EDATA, "%s: %dx%d pixels, but %s is %dx%d", items[i].path,
                            w, h, items[0].path, w0, h0);
            goto done;
        }
        if (chan[i] >= 3) colour = 1;
    }
    ds.channels = colour ? 3 : 1;
    ds.height = h0;
    ds.width = w0;
    ds.dim = (size_t)ds.channels * (size_t)w0 * (size_t)h0;
    ds.file_count = n;
    size_t take;
    st = clae__data_take(ctx, dir, bounds, n, ds.dim, labelled, &take);
    if (st != CLAE_OK) goto done;
    ds.x = malloc(take * ds.dim * sizeof *ds.x);
    if (labelled) ds.labels = malloc(take * sizeof *ds.labels);
    if (!ds.x || (labelled && !ds.labels)) {
        st = clae__fail(ctx, CLAE_ENOMEM, "%s: out of memory for %zu images", dir, take);
        goto done;
    }
    for (size_t i = 0; i < take; i++) {
        unsigned char *px;
        int w, h, c;
        st = clae_png_read(ctx, items[i].path, &px, &w, &h, &c);
        if (st != CLAE_OK) goto done;
        if (w != w0 || h != h0 || c != chan[i]) {
            free(px);
            st = clae__fail(ctx, CLAE_EDATA, "%s: changed while being read", items[i].path);
            goto done;
        }
        to_row(&ds, i, px, c);
        free(px);
        if (labelled) ds.labels[i] = items[i].label;
    }
    ds.count = take;
    *out = ds;
    memset(&ds, 0, sizeof ds);
done:
    clae_dataset_free(&ds);
    for (size_t i = 0; i < n; i++) free(items[i].path);
    free(chan);
    free(items);
    return st;
}

/* The class folder names of dir when they are named classes (left empty when
 * dir is no such folder: numbered classes, a flat folder, not a folder). */
static clae_status named_classes(clae_ctx *ctx, const char *dir, name_list *dirs)
{
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) return CLAE_OK;
    name_list files = {0};
    clae_status st = list_dir(ctx, dir, &files, dirs);
    names_free(&files);
    for (size_t i = 0; st == CLAE_OK && i < dirs->n; i++)
        if (name_label(dirs->names[i]) >= 0) {
            names_free(dirs);
            break;
        }
    return st;
}

/* "a, b, c", cut to fit. */
static const char *joined(const name_list *l, char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < l->n && used + 4 < cap; i++) {
        int n = snprintf(buf + used, cap - used, "%s%s", i ? ", " : "", l->names[i]);
        if (n < 0 || (size_t)n >= cap - used) {
            snprintf(buf + cap - 4, 4, "...");
            break;
        }
        used += (size_t)n;
    }
    return buf;
}

clae_status clae__png_dir_same_classes(clae_ctx *ctx, const char *dir, const char *train_dir)
{
    name_list mine = {0}, theirs = {0};
    clae_status st = named_classes(ctx, dir, &mine);
    if (st == CLAE_OK && mine.n > 0) st = named_classes(ctx, train_dir, &theirs);
    if (st == CLAE_OK && mine.n > 0 && theirs.n > 0) {
        int same = mine.n == theirs.n;
        for (size_t i = 0; same && i < mine.n; i++) same = strcmp(mine.names[i], theirs.names[i]) == 0;
        if (!same) {
            char x[256], y[256];
            st = clae__fail(ctx, CLAE_EDATA,
                            "%s: class folders (%s) are not those of %s (%s); named classes are "
                            "numbered in sorted order, so both must hold the same names (or "
                            "name the folders by label number)",
                            dir, joined(&mine, x, sizeof x), train_dir,
                            joined(&theirs, y, sizeof y));
        }
    }
    names_free(&mine);
    names_free(&theirs);
    return st;
}
