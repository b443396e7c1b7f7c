#ifndef LABELLOOP_CLI_JOB_PROGRESS_TEXT_H_
#define LABELLOOP_CLI_JOB_PROGRESS_TEXT_H_

#include <string>

#include "labelloop/v1/training.pb.h"

namespace labelloop {

// One line describing a training job's progress, for `train start --watch` and `jobs watch`:
//   running epoch 2/8 [#####-----] step 34/120 loss 1.234 (cls 0.512 box 0.601 ctr 0.121)
//   lr 0.00500 12.3 img/s ETA 3m05s val mAP 0.1230 best 0.1500 @2 | evaluating epoch 2
// (on one line). Parts that have no value yet (no step done, no epoch evaluated) are left out.
// `bar` adds the [#####-----] step bar, for terminals.
std::string JobProgressText(const v1::JobProgress& progress, bool bar);

}  // namespace labelloop

#endif  // LABELLOOP_CLI_JOB_PROGRESS_TEXT_H_
