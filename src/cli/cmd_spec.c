/* clae spec: prints the reference spec, every section and key at its default. */
#include <stdio.h>

#include "clae/spec.h"
#include "cli/cli.h"

static int run(int argc, char **argv)
{
    if (argc > 1) return cli_usage_error("spec", "unexpected argument \"%s\"", argv[1]);
    if (fputs(clae_spec_reference_text(), stdout) == EOF || fflush(stdout) != 0) {
        fprintf(stderr, "clae spec: cannot write the spec to standard output\n");
        return 1;
    }
    return 0;
}

const clae_command clae_cmd_spec = {
    "spec", "print every spec section and key with its default",
    "usage: clae spec > FILE.ini\n"
    "Prints a spec with every section and key the parser knows, each at its default,\n"
    "commented. The layer sections ([dense], [conv], ...) are commented out with '#':\n"
    "remove the '#' of a section's lines to add that layer. Keys commented with ';'\n"
    "have no default. Saved to a file, the text is a valid spec as it is (a model of\n"
    "the input straight to a 32-unit code and back).\n",
    run};
