#ifndef LABELLOOP_CLI_REPORT_SVG_PLOT_H_
#define LABELLOOP_CLI_REPORT_SVG_PLOT_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace labelloop {

// Inline SVG plots for the HTML report: written here so the page needs no script, no network and
// no plotting library. Every drawn datum carries data-* attributes with its values, so tests (and
// scripts) can read the numbers back from the DOM.

// Text for XML/HTML content and attribute values.
std::string EscapeXml(absl::string_view text);

struct PlotSeries {
  std::string name;
  std::string color;                              // CSS color
  std::vector<std::pair<double, double>> points;  // (x, y), drawn in the given order
};

// Lines with markers over a linear x axis and a fixed y range; class "plot line-chart".
std::string LineChartSvg(absl::string_view title, absl::string_view x_label,
                         absl::string_view y_label, const std::vector<PlotSeries>& series,
                         double y_min, double y_max);

struct PlotBar {
  std::string label;
  double value = 0;  // < 0: not measured, drawn as "n/a"
};

// Vertical bars from 0 to y_max; class "plot bar-chart".
std::string BarChartSvg(absl::string_view title, const std::vector<PlotBar>& bars, double y_max);

// A labels.size()^2 count matrix (row-major, rows = truth, columns = prediction), each cell
// shaded by its share of its row; class "plot heatmap".
std::string HeatmapSvg(absl::string_view title, const std::vector<std::string>& labels,
                       const std::vector<int64_t>& counts);

}  // namespace labelloop

#endif  // LABELLOOP_CLI_REPORT_SVG_PLOT_H_
