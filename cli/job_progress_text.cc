#include "cli/job_progress_text.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cli/display_time.h"
#include "cli/job_json.h"

namespace labelloop {
namespace {

constexpr int kBarWidth = 20;

std::string Bar(int64_t done, int64_t total) {
  const double fraction = total > 0 ? std::clamp(static_cast<double>(done) / total, 0.0, 1.0) : 0;
  const int filled = static_cast<int>(fraction * kBarWidth);
  return absl::StrCat("[", std::string(filled, '#'), std::string(kBarWidth - filled, '-'), "]");
}

}  // namespace

std::string JobProgressText(const v1::JobProgress& progress, bool bar) {
  std::string text = JobStateName(progress.state());
  if (progress.epochs() > 0) {
    absl::StrAppend(&text, " epoch ", progress.epoch(), "/", progress.epochs());
  }
  if (progress.steps() > 0) {
    if (bar) absl::StrAppend(&text, " ", Bar(progress.step(), progress.steps()));
    absl::StrAppend(&text, " step ", progress.step(), "/", progress.steps());
  }
  // The loss is a mean over steps done, so before the first step there is none to show.
  if (progress.step() > 0) {
    absl::StrAppend(
        &text, absl::StrFormat(" loss %.3f (cls %.3f box %.3f ctr %.3f) lr %.5f", progress.loss(),
                               progress.loss_classification(), progress.loss_bbox_regression(),
                               progress.loss_bbox_ctrness(), progress.learning_rate()));
    if (progress.images_per_second() > 0) {
      absl::StrAppend(&text, absl::StrFormat(" %.1f img/s", progress.images_per_second()));
    }
    if (progress.eta_seconds() > 0 && !IsFinalJobState(progress.state())) {
      absl::StrAppend(&text, " ETA ", DisplayDuration(progress.eta_seconds()));
    }
  }
  if (progress.val_map() >= 0 && progress.epoch() > 0) {
    absl::StrAppend(&text, absl::StrFormat(" val mAP %.4f", progress.val_map()));
  }
  if (progress.best_val_map() >= 0 && progress.best_epoch() > 0) {
    absl::StrAppend(
        &text, absl::StrFormat(" best %.4f @%d", progress.best_val_map(), progress.best_epoch()));
  }
  if (!progress.message().empty()) absl::StrAppend(&text, " | ", progress.message());
  return text;
}

}  // namespace labelloop
