#ifndef LABELLOOP_FORMATS_IMPORT_CHECKS_H_
#define LABELLOOP_FORMATS_IMPORT_CHECKS_H_

#include "formats/format_dataset.h"
#include "formats/import_options.h"
#include "formats/import_report.h"

namespace labelloop {

// The checks every importer shares, after its format-specific parsing: drops boxes with
// non-finite coordinates, degenerate boxes and boxes wholly outside their image, clips boxes
// that reach past its edges (the daemon refuses boxes more than 2 px outside), and drops images
// whose file is missing. Each change is noted in `report`, named by image file and box index.
// Images of unknown size (0) keep their boxes unclipped.
void CheckImportedDataset(const ImportOptions& options, FormatDataset* dataset,
                          ImportReport* report);

}  // namespace labelloop

#endif  // LABELLOOP_FORMATS_IMPORT_CHECKS_H_
