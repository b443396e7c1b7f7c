#include "cli/job_json.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cli/display_time.h"

namespace labelloop {

std::string JobStateName(v1::JobState state) {
  switch (state) {
    case v1::JOB_STATE_QUEUED:
      return "queued";
    case v1::JOB_STATE_RUNNING:
      return "running";
    case v1::JOB_STATE_SUCCEEDED:
      return "succeeded";
    case v1::JOB_STATE_FAILED:
      return "failed";
    case v1::JOB_STATE_CANCELLED:
      return "cancelled";
    default:
      return "unspecified";
  }
}

bool IsFinalJobState(v1::JobState state) {
  return state == v1::JOB_STATE_SUCCEEDED || state == v1::JOB_STATE_FAILED ||
         state == v1::JOB_STATE_CANCELLED;
}

Json JobProgressToJson(const v1::JobProgress& progress) {
  Json json;
  json["job_id"] = progress.job_id();
  json["state"] = JobStateName(progress.state());
  json["epoch"] = progress.epoch();
  json["epochs"] = progress.epochs();
  json["step"] = progress.step();
  json["steps"] = progress.steps();
  json["loss"] = progress.loss();
  json["loss_classification"] = progress.loss_classification();
  json["loss_bbox_regression"] = progress.loss_bbox_regression();
  json["loss_bbox_ctrness"] = progress.loss_bbox_ctrness();
  json["learning_rate"] = progress.learning_rate();
  json["images_per_second"] = progress.images_per_second();
  json["eta_seconds"] = progress.eta_seconds();
  json["val_map"] = progress.val_map();
  json["best_val_map"] = progress.best_val_map();
  json["best_epoch"] = progress.best_epoch();
  json["message"] = progress.message();
  return json;
}

Json JobToJson(const v1::Job& job) {
  Json json;
  json["id"] = job.id();
  json["state"] = JobStateName(job.state());
  json["trigger"] = job.trigger();
  json["reset_weights"] = job.reset_weights();
  json["created_unix_ms"] = job.created_unix_ms();
  json["started_unix_ms"] = job.started_unix_ms();
  json["finished_unix_ms"] = job.finished_unix_ms();
  json["error"] = job.error();
  json["train_labels"] = job.train_labels();
  json["val_labels"] = job.val_labels();
  json["base_version"] = job.base_version();
  json["result_version"] = job.result_version();
  json["promoted"] = job.promoted();
  json["promotion_reason"] = job.promotion_reason();
  json["progress"] = JobProgressToJson(job.progress());
  return json;
}

std::string JobTableHeader() {
  return absl::StrFormat("%-6s %-10s %-10s %-19s %6s %6s %-6s %-6s %s\n", "ID", "STATE", "TRIGGER",
                         "CREATED", "TRAIN", "VAL", "BASE", "RESULT", "PROMOTED");
}

std::string JobTableRow(const v1::Job& job) {
  auto or_dash = [](const std::string& text) { return text.empty() ? std::string("-") : text; };
  std::string promoted = "-";
  if (!job.result_version().empty()) promoted = job.promoted() ? "yes" : "no";
  return absl::StrFormat("%-6d %-10s %-10s %-19s %6d %6d %-6s %-6s %s\n", job.id(),
                         JobStateName(job.state()), or_dash(job.trigger()),
                         DisplayTime(job.created_unix_ms()), job.train_labels(), job.val_labels(),
                         or_dash(job.base_version()), or_dash(job.result_version()), promoted);
}

std::string JobDetails(const v1::Job& job) {
  std::string text = absl::StrCat("job ", job.id(), ": ", JobStateName(job.state()), "\n");
  absl::StrAppend(&text, "  trigger:   ", job.trigger(),
                  job.reset_weights() ? " (reset weights)" : "", "\n");
  absl::StrAppend(&text, "  created:   ", DisplayTime(job.created_unix_ms()), "\n");
  absl::StrAppend(&text, "  started:   ", DisplayTime(job.started_unix_ms()), "\n");
  absl::StrAppend(&text, "  finished:  ", DisplayTime(job.finished_unix_ms()), "\n");
  absl::StrAppend(&text, "  labels:    ", job.train_labels(), " train, ", job.val_labels(),
                  " validation\n");
  absl::StrAppend(&text, "  base:      ",
                  job.base_version().empty() ? "(initial weights)" : job.base_version(), "\n");
  if (!job.result_version().empty()) {
    absl::StrAppend(&text, "  result:    ", job.result_version(),
                    job.promoted() ? " (promoted" : " (not promoted",
                    job.promotion_reason().empty() ? "" : ": ", job.promotion_reason(), ")\n");
  }
  const v1::JobProgress& progress = job.progress();
  if (progress.epochs() > 0) {
    absl::StrAppend(&text, "  progress:  epoch ", progress.epoch(), "/", progress.epochs(),
                    ", step ", progress.step(), "/", progress.steps(), "\n");
  }
  if (progress.best_val_map() >= 0) {
    absl::StrAppend(&text, "  best mAP:  ", absl::StrFormat("%.4f", progress.best_val_map()),
                    " (epoch ", progress.best_epoch(), ")\n");
  }
  if (!job.error().empty()) absl::StrAppend(&text, "  error:     ", job.error(), "\n");
  return text;
}

}  // namespace labelloop
