#include "cli/report/report_html.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cli/report/svg_plot.h"

namespace labelloop {
namespace {

constexpr absl::string_view kStyle =
    "body{font-family:sans-serif;margin:24px;color:#222}"
    "section{margin-bottom:32px}"
    "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}"
    "th{background:#f3f3f3}td.name{text-align:left}"
    ".hard{display:inline-block;margin:6px;text-align:center;font-size:12px}"
    ".hard img{max-width:200px;max-height:160px;display:block;border:1px solid #999}"
    ".note{color:#666;font-size:13px}";

std::string Metric(double value) { return value < 0 ? "n/a" : absl::StrFormat("%.4f", value); }

std::string LearningCurve(const v1::ListModelsResponse& models) {
  std::vector<const v1::Model*> sorted;
  for (const v1::Model& model : models.models()) sorted.push_back(&model);
  std::stable_sort(sorted.begin(), sorted.end(), [](const v1::Model* a, const v1::Model* b) {
    return a->created_unix_ms() < b->created_unix_ms();
  });
  PlotSeries map{"mAP", "#4c78a8", {}};
  PlotSeries map50{"mAP50", "#f58518", {}};
  std::string rows;
  for (const v1::Model* model : sorted) {
    const double x = static_cast<double>(model->train_labels());
    if (model->metrics().map() >= 0) map.points.push_back({x, model->metrics().map()});
    if (model->metrics().map50() >= 0) map50.points.push_back({x, model->metrics().map50()});
    absl::StrAppend(&rows, "<tr class=\"version\"><td class=\"name\">", EscapeXml(model->version()),
                    "</td><td>", model->train_labels(), "</td><td>", model->metrics().val_images(),
                    "</td><td>", Metric(model->metrics().map()), "</td><td>",
                    Metric(model->metrics().map50()), "</td></tr>\n");
  }
  return absl::StrCat(
      "<section id=\"learning-curve\"><h2>Learning curve</h2>\n",
      LineChartSvg("Validation mAP by labeled images", "accepted training labels", "mAP",
                   {map, map50}, 0, 1),
      "<table><tr><th>version</th><th>training labels</th><th>validation images</th><th>mAP</th>"
      "<th>mAP50</th></tr>\n",
      rows, "</table>\n",
      "<p class=\"note\">Each version is measured on the validation split of its own round, "
      "which grows as labels come in.</p></section>\n");
}

std::string PerClass(const v1::Model& model) {
  std::vector<PlotBar> ap;
  std::vector<PlotBar> ap50;
  std::string rows;
  for (const v1::ClassMetrics& c : model.metrics().per_class()) {
    ap.push_back({c.class_name(), c.ap()});
    ap50.push_back({c.class_name(), c.ap50()});
    absl::StrAppend(&rows, "<tr class=\"class-errors\" data-class=\"", EscapeXml(c.class_name()),
                    "\"><td class=\"name\">", EscapeXml(c.class_name()), "</td><td>",
                    Metric(c.ap()), "</td><td>", Metric(c.ap50()), "</td><td class=\"tp\">",
                    c.true_positives(), "</td><td class=\"fp\">", c.false_positives(),
                    "</td><td class=\"misses\">", c.misses(), "</td></tr>\n");
  }
  const v1::ConfusionMatrix& confusion = model.metrics().confusion();
  std::string threshold_note =
      model.metrics().has_confusion()
          ? absl::StrFormat("Counts at score &ge; %.2f and IoU &ge; %.2f.",
                            confusion.score_threshold(), confusion.iou_threshold())
          : "No error analysis stored for this version.";
  return absl::StrCat(
      "<section id=\"per-class\"><h2>Per class</h2>\n", BarChartSvg("AP@[.5:.95] per class", ap, 1),
      BarChartSvg("AP@.5 per class", ap50, 1),
      "<table id=\"errors\"><tr><th>class</th><th>AP</th><th>AP50</th><th>true positives</th>"
      "<th>false positives</th><th>misses</th></tr>\n",
      rows, "</table>\n<p class=\"note\">", threshold_note, "</p></section>\n");
}

std::string Confusion(const v1::Model& model) {
  if (!model.metrics().has_confusion()) return "";
  const v1::ConfusionMatrix& confusion = model.metrics().confusion();
  const std::vector<std::string> labels(confusion.labels().begin(), confusion.labels().end());
  const std::vector<int64_t> counts(confusion.counts().begin(), confusion.counts().end());
  return absl::StrCat(
      "<section id=\"confusion\"><h2>Confusion matrix</h2>\n",
      HeatmapSvg("Validation boxes: true class vs predicted class", labels, counts),
      "<p class=\"note\">The background row holds predictions that match no box (false "
      "positives); the background column, boxes nothing found (misses).</p></section>\n");
}

std::string Hardest(const v1::Model& model, const std::map<int64_t, std::string>& thumbnails) {
  std::string items;
  for (const v1::HardImage& h : model.metrics().hardest_images()) {
    auto it = thumbnails.find(h.image_id());
    const std::string picture = it == thumbnails.end()
                                    ? "<div class=\"note\">(no picture)</div>"
                                    : absl::StrCat("<img src=\"", EscapeXml(it->second),
                                                   "\" alt=\"image ", h.image_id(), "\">");
    absl::StrAppend(&items, "<div class=\"hard\" data-image-id=\"", h.image_id(), "\">", picture,
                    "image ", h.image_id(), "<br>F1 ", absl::StrFormat("%.2f", h.f1()), ": ",
                    h.true_positives(), " right, ", h.false_positives(), " false, ", h.misses(),
                    " missed</div>\n");
  }
  if (items.empty()) items = "<p class=\"note\">No validation image with errors.</p>";
  return absl::StrCat("<section id=\"hardest\"><h2>Hardest validation images</h2>\n", items,
                      "</section>\n");
}

std::string AutoLabel(const v1::Model& model) {
  if (!model.metrics().has_autolabel()) return "";
  const v1::AutoLabelCalibration& a = model.metrics().autolabel();
  const std::string text =
      a.found()
          ? absl::StrFormat(
                "Predictions scoring &ge; <b class=\"threshold\">%.3f</b> reach "
                "precision %.3f (target %.2f) on %d validation predictions, "
                "finding %.1f%% of the validation boxes.",
                a.threshold(), a.precision(), a.target_precision(), a.support(), 100 * a.recall())
          : absl::StrFormat(
                "No threshold reaches precision %.2f with enough validation "
                "predictions.",
                a.target_precision());
  return absl::StrCat("<section id=\"autolabel\"><h2>Auto-labeling threshold</h2><p>", text,
                      "</p></section>\n");
}

}  // namespace

const v1::Model* ReportedModel(const v1::ListModelsResponse& models) {
  const v1::Model* newest = nullptr;
  for (const v1::Model& model : models.models()) {
    if (!models.serving_version().empty() && model.version() == models.serving_version()) {
      return &model;
    }
    if (newest == nullptr || model.created_unix_ms() >= newest->created_unix_ms()) newest = &model;
  }
  return newest;
}

std::string ReportHtml(const ReportInput& input) {
  std::string body;
  const v1::Model* model = ReportedModel(input.models);
  if (model == nullptr) {
    body = "<p id=\"no-models\">No model version yet: a training round writes the first.</p>\n";
  } else {
    body = absl::StrCat("<p>Details for <b id=\"reported-version\">", EscapeXml(model->version()),
                        "</b>", model->status() == v1::MODEL_STATUS_SERVING ? " (serving)" : "",
                        ": mAP ", Metric(model->metrics().map()), ", mAP50 ",
                        Metric(model->metrics().map50()), " on ", model->metrics().val_images(),
                        " validation images, trained on ", model->train_labels(), " labels.</p>\n",
                        LearningCurve(input.models), PerClass(*model), Confusion(*model),
                        Hardest(*model, input.thumbnails), AutoLabel(*model));
  }
  return absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
      "<title>labelloop model report</title>\n<style>",
      kStyle, "</style></head>\n<body>\n<h1>labelloop model report</h1>\n", "<p class=\"note\">",
      EscapeXml(input.server), " &middot; ", EscapeXml(input.generated_at), "</p>\n", body,
      "</body></html>\n");
}

}  // namespace labelloop
