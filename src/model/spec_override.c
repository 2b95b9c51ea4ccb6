/* Command-line overrides of a spec ("SECTION.KEY=VALUE", `clae train --set`)
 * applied to the spec's TEXT, which is then parsed again: a value is checked
 * by the parser's own rules, and the text the checkpoint keeps is the spec
 * that was really trained.
 *
 * The text is edited line by line with the parser's reading of a line (a
 * header "[name]", a comment, or "key = value"): an override replaces its
 * key's line, or adds the key at the end of its section, or adds the section
 * at the end of the text. Layer sections are never added (they would add a
 * layer); one that repeats must be named by its place among the sections of
 * its kind ("dense.2.units"). Each line remembers which override wrote it, so
 * a parse error on that line is reported against the override. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clae/spec.h"

#define MAX_NAME 64

typedef struct {
    char *text; /* the line without its '\n' */
    int set;    /* the override that wrote it, or -1 */
} line;

typedef struct {
    line *lines;
    int n, cap;
} text_lines;

typedef enum { LINE_OTHER, LINE_HEADER, LINE_KEY } line_kind;

/* What the parser sees on a line: a header (name = the section) or a key
 * (name = the key). */
static line_kind classify(const char *s, int first, char name[MAX_NAME])
{
    if (first && memcmp(s, "\xEF\xBB\xBF", 3) == 0) s += 3;
    while (isspace((unsigned char)*s)) s++;
    name[0] = '\0';
    if (*s == '\0' || *s == ';' || *s == '#') return LINE_OTHER;
    if (*s == '[') {
        const char *e = strchr(s, ']');
        if (!e) return LINE_OTHER;
        snprintf(name, MAX_NAME, "%.*s", (int)(e - s - 1), s + 1);
        return LINE_HEADER;
    }
    size_t n = strcspn(s, "=:");
    if (!s[n]) return LINE_OTHER;
    while (n && isspace((unsigned char)s[n - 1])) n--;
    snprintf(name, MAX_NAME, "%.*s", (int)n, s);
    return LINE_KEY;
}

/* Inserts the line "<a><b><c>" (a copy) at index at. */
static int insert_line(text_lines *t, int at, const char *a, const char *b, const char *c,
                       size_t c_len, int set)
{
    if (t->n == t->cap) {
        int cap = t->cap ? 2 * t->cap : 64;
        line *grown = realloc(t->lines, (size_t)cap * sizeof *grown);
        if (!grown) return -1;
        t->lines = grown;
        t->cap = cap;
    }
    size_t na = strlen(a), nb = strlen(b);
    char *s = malloc(na + nb + c_len + 1);
    if (!s) return -1;
    memcpy(s, a, na);
    memcpy(s + na, b, nb);
    memcpy(s + na + nb, c, c_len);
    s[na + nb + c_len] = '\0';
    memmove(t->lines + at + 1, t->lines + at, (size_t)(t->n - at) * sizeof *t->lines);
    t->lines[at] = (line){s, set};
    t->n++;
    return 0;
}

static void free_lines(text_lines *t)
{
    for (int i = 0; i < t->n; i++) free(t->lines[i].text);
    free(t->lines);
}

static int split_lines(text_lines *t, const char *text)
{
    for (const char *s = text; *s;) {
        size_t len = strcspn(s, "\n");
        if (insert_line(t, t->n, "", "", s, len, -1)) return -1;
        s += len + (s[len] == '\n');
    }
    return 0;
}

static int is_name(const char *s)
{
    if (!*s) return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_') return 0;
    return 1;
}

static int is_layer_section(const char *name)
{
    const char *sec;
    int layer = 0;
    for (int i = 0; (sec = clae__spec_section(i, NULL, &layer)) != NULL; i++)
        if (strcmp(sec, name) == 0) return layer;
    return 0;
}

/* Applies one override; fails with a message (no file or line) for the
 * override itself, or CLAE_ENOMEM. */
static clae_status apply(clae_ctx *ctx, text_lines *t, const char *set, int index)
{
    const char *eq = strchr(set, '=');
    char left[3 * MAX_NAME], sec[MAX_NAME] = "", key[MAX_NAME] = "";
    long nth = 0;
    if (!eq || (size_t)(eq - set) >= sizeof left)
        return clae__fail(ctx, CLAE_EUSAGE, "expected SECTION.KEY=VALUE");
    snprintf(left, sizeof left, "%.*s", (int)(eq - set), set);
    const char *value = eq + 1;
    char *d1 = strchr(left, '.'), *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
    if (d1) *d1 = '\0';
    if (d2) {
        *d2 = '\0';
        char *end;
        nth = strtol(d1 + 1, &end, 10);
        if (!isdigit((unsigned char)d1[1]) || *end || nth < 1 || nth > 1000)
            return clae__fail(ctx, CLAE_EUSAGE,
                              "expected SECTION.KEY=VALUE or SECTION.N.KEY=VALUE (N from 1)");
    }
    const char *k = d2 ? d2 + 1 : d1 ? d1 + 1 : "";
    if (!d1 || !is_name(left) || !is_name(k) || strlen(left) >= MAX_NAME || strlen(k) >= MAX_NAME)
        return clae__fail(ctx, CLAE_EUSAGE, "expected SECTION.KEY=VALUE");
    if (strpbrk(value, "\r\n")) return clae__fail(ctx, CLAE_EUSAGE, "the value must be one line");
    memcpy(sec, left, strlen(left) + 1); /* lengths checked above */
    memcpy(key, k, strlen(k) + 1);
    int layer = is_layer_section(sec);
    if (nth && !layer)
        return clae__fail(ctx, CLAE_EUSAGE, "[%s] is not a layer section and does not repeat; "
                          "write %s.%s", sec, sec, key);

    /* the section's header and the lines that belong to it */
    int count = 0, start = -1, end = -1;
    char name[MAX_NAME];
    for (int i = 0; i < t->n; i++) {
        if (classify(t->lines[i].text, i == 0, name) != LINE_HEADER) continue;
        if (start >= 0 && end < 0) end = i;
        if (strcmp(name, sec) != 0) continue;
        count++;
        if (start < 0 && (!nth || count == nth)) start = i;
    }
    if (start >= 0 && end < 0) end = t->n;
    if (layer && count == 0)
        return clae__fail(ctx, CLAE_EUSAGE,
                          "the spec has no [%s] section (--set changes a layer, it does not add one)",
                          sec);
    if (layer && nth > count)
        return clae__fail(ctx, CLAE_EUSAGE, "the spec has %d [%s] section%s, not %ld", count, sec,
                          count == 1 ? "" : "s", nth);
    if (layer && !nth && count > 1)
        return clae__fail(ctx, CLAE_EUSAGE,
                          "the spec has %d [%s] sections: say which, as %s.1.%s to %s.%d.%s",
                          count, sec, sec, key, sec, count, key);

    int fail = 0;
    if (start < 0) { /* a section the text lacks: added at the end */
        char header[MAX_NAME + 2];
        snprintf(header, sizeof header, "[%s]", sec);
        if (t->n && t->lines[t->n - 1].text[0]) fail = insert_line(t, t->n, "", "", "", 0, index);
        fail = fail || insert_line(t, t->n, header, "", "", 0, index);
        fail = fail || insert_line(t, t->n, key, " = ", value, strlen(value), index);
    } else {
        int at = start + 1, found = -1;
        for (int i = start + 1; i < end; i++) {
            line_kind kind = classify(t->lines[i].text, 0, name);
            if (kind == LINE_KEY) at = i + 1;
            if (kind == LINE_KEY && strcmp(name, key) == 0) found = i;
        }
        if (found >= 0) {
            free(t->lines[found].text);
            t->lines[found].text = NULL;
            memmove(t->lines + found, t->lines + found + 1,
                    (size_t)(t->n - found - 1) * sizeof *t->lines);
            t->n--;
            at = found;
        }
        fail = insert_line(t, at, key, " = ", value, strlen(value), index);
    }
    return fail ? clae__fail(ctx, CLAE_ENOMEM, "out of memory") : CLAE_OK;
}

/* The line a parser message "name:LINE: ..." points at (0: none); *rest is
 * what follows the location. */
static int message_line(const char *msg, const char *name, const char **rest)
{
    size_t n = strlen(name);
    *rest = msg;
    if (strncmp(msg, name, n) != 0 || msg[n] != ':' || !isdigit((unsigned char)msg[n + 1])) return 0;
    char *end;
    long l = strtol(msg + n + 1, &end, 10);
    if (strncmp(end, ": ", 2) != 0 || l <= 0 || l > 1000000) return 0;
    *rest = end + 2;
    return (int)l;
}

clae_status clae_spec_parse_overrides(clae_ctx *ctx, const char *name, const char *text,
                                      const char *const *sets, int n_sets, clae_spec *spec,
                                      int *bad)
{
    *bad = -1;
    memset(spec, 0, sizeof *spec);
    if (!name) name = "<spec>";
    text_lines t = {NULL, 0, 0};
    clae_status s = split_lines(&t, text ? text : "") ? clae__fail(ctx, CLAE_ENOMEM, "out of memory")
                                                      : CLAE_OK;
    for (int i = 0; i < n_sets && s == CLAE_OK; i++) {
        s = apply(ctx, &t, sets[i], i);
        if (s != CLAE_OK && s != CLAE_ENOMEM) *bad = i;
    }
    size_t size = 1;
    for (int i = 0; i < t.n; i++) size += strlen(t.lines[i].text) + 1;
    char *joined = s == CLAE_OK ? malloc(size) : NULL;
    if (s == CLAE_OK && !joined) s = clae__fail(ctx, CLAE_ENOMEM, "out of memory");
    if (s == CLAE_OK) {
        size_t len = 0;
        for (int i = 0; i < t.n; i++)
            len += (size_t)sprintf(joined + len, "%s\n", t.lines[i].text);
        joined[len] = '\0';
        s = clae_spec_parse_text(ctx, name, joined, spec);
        const char *rest;
        int l = s != CLAE_OK ? message_line(clae_ctx_message(ctx), name, &rest) : 0;
        if (l > 0 && l <= t.n && t.lines[l - 1].set >= 0) {
            char msg[1024];
            snprintf(msg, sizeof msg, "%s", rest);
            *bad = t.lines[l - 1].set;
            clae__fail(ctx, s, "%s", msg);
        }
    }
    free(joined);
    free_lines(&t);
    return s;
}
