#include "cli/cli.h"
const clae_command clae_cmd_bench = {"bench","x","x",0};
