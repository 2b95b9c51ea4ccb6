/* clae spec: prints the built-in default spec, with every section and key. */
#include <stdio.h>

#include "clae/spec.h"
#include "cli/cli.h"

static int run(int argc, char **argv)
{
    if (argc > 1) return cli_usage_error("spec", "unexpected argument \"%s\"", argv[1]);
    if (fputs(clae_spec_default_text(), stdout) == EOF || fflush(stdout) != 0) {
        fprintf(stderr, "clae spec: cannot write the spec to standard output\n");
        return 1;
    }
    return 0;
}

const clae_command clae_cmd_spec = {
    "spec", "print the built-in default spec with every section and key",
    "usage: clae spec > FILE.ini\n"
    "Prints the built-in default spec, the one `clae train` trains without --spec (a\n"
    "dense 784-256-64-256-784 autoencoder on the bundled digits), with every section\n"
    "and key the parser knows, commented. A key left out of a spec takes the value\n"
    "shown, except where its comment says \"left out: ...\". The layer sections the\n"
    "default does not use ([conv], [deconv], ...) are commented out with '#': remove\n"
    "the '#' of a section's lines to add that layer. Keys commented with ';' have no\n"
    "default. Saved to a file, the text trains as it is.\n",
    run};
