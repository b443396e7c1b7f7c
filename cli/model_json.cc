#include "cli/model_json.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "cli/display_time.h"

namespace labelloop {
namespace {

// A metric for a table: -1 means the validation split could not measure it.
std::string DisplayMetric(double value) {
  return value < 0 ? std::string("-") : absl::StrFormat("%.4f", value);
}

}  // namespace

std::string ModelStatusName(v1::ModelStatus status) {
  switch (status) {
    case v1::MODEL_STATUS_CANDIDATE:
      return "candidate";
    case v1::MODEL_STATUS_SERVING:
      return "serving";
    case v1::MODEL_STATUS_RETIRED:
      return "retired";
    case v1::MODEL_STATUS_REJECTED:
      return "rejected";
    default:
      return "unspecified";
  }
}

Json ModelMetricsToJson(const v1::ModelMetrics& metrics) {
  Json json;
  json["map"] = metrics.map();
  json["map50"] = metrics.map50();
  json["map75"] = metrics.map75();
  json["map_small"] = metrics.map_small();
  json["map_medium"] = metrics.map_medium();
  json["map_large"] = metrics.map_large();
  json["ar100"] = metrics.ar100();
  Json per_class = Json::object();
  for (const v1::ClassMetrics& class_metrics : metrics.per_class()) {
    per_class[class_metrics.class_name()] = {{"ap", class_metrics.ap()},
                                             {"ap50", class_metrics.ap50()}};
  }
  json["per_class"] = std::move(per_class);
  json["val_images"] = metrics.val_images();
  json["best_epoch"] = metrics.best_epoch();
  if (metrics.has_autolabel()) {
    const v1::AutoLabelCalibration& a = metrics.autolabel();
    json["autolabel"] = {{"found", a.found()},
                         {"threshold", a.threshold()},
                         {"precision", a.precision()},
                         {"recall", a.recall()},
                         {"support", a.support()},
                         {"predictions", a.predictions()},
                         {"target_precision", a.target_precision()},
                         {"reason", a.reason()}};
  }
  return json;
}

Json ModelToJson(const v1::Model& model, bool serving) {
  Json json;
  json["version"] = model.version();
  json["status"] = ModelStatusName(model.status());
  json["serving"] = serving;
  json["parent_version"] = model.parent_version();
  json["job_id"] = model.job_id();
  json["created_unix_ms"] = model.created_unix_ms();
  json["train_labels"] = model.train_labels();
  json["metrics"] = ModelMetricsToJson(model.metrics());
  json["class_names"] = Json::array();
  for (const std::string& name : model.class_names()) json["class_names"].push_back(name);
  json["promotion_reason"] = model.promotion_reason();
  json["checkpoint_bytes"] = model.checkpoint_bytes();
  json["checkpoint_sha256"] = model.checkpoint_sha256();
  const v1::AutoLabeling& auto_labeling = model.auto_labeling();
  json["auto_labeling"] = {{"images", auto_labeling.images()},
                           {"pending_review", auto_labeling.pending_review()},
                           {"rejected", auto_labeling.rejected()},
                           {"threshold", auto_labeling.threshold()},
                           {"note", auto_labeling.note()}};
  return json;
}

std::string ModelTableHeader() {
  return absl::StrFormat("  %-8s %-10s %-7s %-7s %7s %-19s %s\n", "VERSION", "STATUS", "MAP",
                         "MAP50", "LABELS", "CREATED", "PARENT");
}

std::string ModelTableRow(const v1::Model& model, bool serving) {
  return absl::StrFormat("%s %-8s %-10s %-7s %-7s %7d %-19s %s\n", serving ? "*" : " ",
                         model.version(), ModelStatusName(model.status()),
                         DisplayMetric(model.metrics().map()),
                         DisplayMetric(model.metrics().map50()), model.train_labels(),
                         DisplayTime(model.created_unix_ms()),
                         model.parent_version().empty() ? "-" : model.parent_version());
}

std::string ModelDetails(const v1::Model& model, bool serving) {
  const v1::ModelMetrics& metrics = model.metrics();
  // The status says "serving" already unless the caller knows better than it.
  const bool say_serving = serving && model.status() != v1::MODEL_STATUS_SERVING;
  std::string text = absl::StrCat("model ", model.version(), ": ", ModelStatusName(model.status()),
                                  say_serving ? " (serving)" : "", "\n");
  absl::StrAppend(
      &text, "  parent:     ", model.parent_version().empty() ? "-" : model.parent_version(), "\n");
  absl::StrAppend(&text, "  job:        ", model.job_id(), "\n");
  absl::StrAppend(&text, "  created:    ", DisplayTime(model.created_unix_ms()), "\n");
  absl::StrAppend(&text, "  labels:     ", model.train_labels(), " train, ", metrics.val_images(),
                  " validation images\n");
  absl::StrAppend(&text, "  classes:    ", absl::StrJoin(model.class_names(), ", "), "\n");
  absl::StrAppend(&text, "  mAP:        ", DisplayMetric(metrics.map()),
                  "  (50: ", DisplayMetric(metrics.map50()),
                  ", 75: ", DisplayMetric(metrics.map75()), ", best epoch ", metrics.best_epoch(),
                  ")\n");
  absl::StrAppend(&text, "  AP by size: small ", DisplayMetric(metrics.map_small()), ", medium ",
                  DisplayMetric(metrics.map_medium()), ", large ",
                  DisplayMetric(metrics.map_large()), "; AR@100 ", DisplayMetric(metrics.ar100()),
                  "\n");
  for (const v1::ClassMetrics& class_metrics : metrics.per_class()) {
    absl::StrAppend(&text, "    ", absl::StrFormat("%-20s", class_metrics.class_name()), " AP ",
                    DisplayMetric(class_metrics.ap()), "  AP50 ",
                    DisplayMetric(class_metrics.ap50()), "\n");
  }
  if (metrics.has_autolabel()) {
    const v1::AutoLabelCalibration& a = metrics.autolabel();
    if (a.found()) {
      absl::StrAppend(&text, "  auto-label: ",
                      absl::StrFormat("threshold %.4f: precision %.3f (target %.3f), recall %.3f, "
                                      "on %d of %d validation predictions\n",
                                      a.threshold(), a.precision(), a.target_precision(),
                                      a.recall(), a.support(), a.predictions()));
    } else {
      absl::StrAppend(&text, "  auto-label: no threshold (",
                      a.reason().empty() ? "not calibrated" : a.reason(), ")\n");
    }
  }
  const v1::AutoLabeling& auto_labeling = model.auto_labeling();
  if (auto_labeling.images() > 0) {
    absl::StrAppend(&text, "  machine labels: ", auto_labeling.images(), " images (",
                    auto_labeling.pending_review(), " pending review, ", auto_labeling.rejected(),
                    " rejected)\n");
  }
  if (!auto_labeling.note().empty()) {
    absl::StrAppend(&text, "  last auto-labeling: ", auto_labeling.note(), "\n");
  }
  if (!model.promotion_reason().empty()) {
    absl::StrAppend(&text, "  promotion:  ", model.promotion_reason(), "\n");
  }
  absl::StrAppend(&text, "  checkpoint: ", model.checkpoint_bytes(), " bytes, sha256 ",
                  model.checkpoint_sha256(), "\n");
  return text;
}

}  // namespace labelloop
