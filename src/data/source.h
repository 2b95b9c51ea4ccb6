/* The datasets a spec names: train (and labels), test or a holdout split. */
#ifndef CLAE_DATA_SOURCE_H
#define CLAE_DATA_SOURCE_H

#include "clae/data.h"
#include "clae/spec.h"

/* Loads [data] of the spec. Paths are taken relative to the working
 * directory. [data] classes filters train and test (before limit and the
 * holdout split). test is left empty (count 0) when holdout is 0 and no test
 * file is given. */
clae_status clae__load_datasets(clae_ctx *ctx, const clae_spec *spec, clae_dataset *train,
                                clae_dataset *test);
/* The same, and with map_train a plain IDX or NPY training file of bytes or
 * floats is mapped (clae_dataset_map: outside [data] max_memory) instead of
 * read, its labels file read as ever; unless [data] resize, pad or classes
 * must change its samples, or the file is of another kind: then it is read.
 * A holdout split's test part is a copy in memory, within max_memory. */
clae_status clae__load_training_datasets(clae_ctx *ctx, const clae_spec *spec, int map_train,
                                         clae_dataset *train, clae_dataset *test);

/* One data file in any format (and its labels file, when labels is not ""),
 * only its first `take` samples (0 = all) and within [data] max_memory, then
 * the spec's [data] resize and pad: what [data] train and test go
 * through, and any --input. No [data] classes here: an explicit input keeps
 * every class. A folder of named (not numbered) PNG class folders other than
 * the spec's train must hold the same class names as train, when train is
 * such a folder and is there to compare. On failure ds is left empty. */
clae_status clae__load_data_file(clae_ctx *ctx, const clae_spec *spec, const char *images,
                                 const char *labels, size_t take, clae_dataset *ds);

#endif
