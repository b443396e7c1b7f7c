#include "cli/report/svg_plot.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace labelloop {
namespace {

constexpr double kWidth = 640;
constexpr double kHeight = 360;
constexpr double kLeft = 60, kRight = 20, kTop = 40, kBottom = 60;

std::string Number(double value) { return absl::StrFormat("%.4g", value); }

std::string Header(absl::string_view css_class, absl::string_view title, double width,
                   double height) {
  return absl::StrFormat(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"plot %s\" width=\"%s\" height=\"%s\" "
      "viewBox=\"0 0 %s %s\" role=\"img\" aria-label=\"%s\">\n"
      "<rect x=\"0\" y=\"0\" width=\"%s\" height=\"%s\" fill=\"#ffffff\"/>\n"
      "<text class=\"title\" x=\"%s\" y=\"22\" text-anchor=\"middle\" font-size=\"15\" "
      "font-family=\"sans-serif\">%s</text>\n",
      css_class, Number(width), Number(height), Number(width), Number(height), EscapeXml(title),
      Number(width), Number(height), Number(width / 2), EscapeXml(title));
}

std::string Text(double x, double y, absl::string_view anchor, absl::string_view text,
                 absl::string_view extra = "") {
  return absl::StrFormat(
      "<text x=\"%s\" y=\"%s\" text-anchor=\"%s\" font-size=\"11\" font-family=\"sans-serif\"%s>"
      "%s</text>\n",
      Number(x), Number(y), anchor, extra, EscapeXml(text));
}

// The y axis with 5 gridlines from y_min to y_max.
std::string YAxis(double y_min, double y_max, absl::string_view y_label) {
  std::string out;
  const double plot_height = kHeight - kTop - kBottom;
  for (int i = 0; i <= 4; ++i) {
    const double value = y_min + (y_max - y_min) * i / 4.0;
    const double y = kTop + plot_height * (1 - i / 4.0);
    absl::StrAppend(&out,
                    absl::StrFormat("<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\" "
                                    "stroke=\"#dddddd\"/>\n",
                                    Number(kLeft), Number(y), Number(kWidth - kRight), Number(y)),
                    Text(kLeft - 6, y + 4, "end", Number(value)));
  }
  absl::StrAppend(&out, Text(16, kTop + plot_height / 2, "middle", y_label,
                             absl::StrFormat(" transform=\"rotate(-90 16 %s)\"",
                                             Number(kTop + plot_height / 2))));
  return out;
}

}  // namespace

std::string EscapeXml(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string LineChartSvg(absl::string_view title, absl::string_view x_label,
                         absl::string_view y_label, const std::vector<PlotSeries>& series,
                         double y_min, double y_max) {
  double x_min = 0, x_max = 1;
  bool any = false;
  for (const PlotSeries& s : series) {
    for (const auto& [x, y] : s.points) {
      x_min = any ? std::min(x_min, x) : x;
      x_max = any ? std::max(x_max, x) : x;
      any = true;
    }
  }
  if (!(x_max > x_min)) {  // one x value: center it
    x_min -= 1;
    x_max += 1;
  }
  if (!(y_max > y_min)) y_max = y_min + 1;
  const double plot_width = kWidth - kLeft - kRight;
  const double plot_height = kHeight - kTop - kBottom;
  auto px = [&](double x) { return kLeft + plot_width * (x - x_min) / (x_max - x_min); };
  auto py = [&](double y) {
    return kTop + plot_height * (1 - (std::clamp(y, y_min, y_max) - y_min) / (y_max - y_min));
  };
  std::string out = Header("line-chart", title, kWidth, kHeight);
  absl::StrAppend(&out, YAxis(y_min, y_max, y_label));
  for (int i = 0; i <= 4; ++i) {
    const double x = x_min + (x_max - x_min) * i / 4.0;
    absl::StrAppend(&out, Text(px(x), kHeight - kBottom + 16, "middle", Number(x)));
  }
  absl::StrAppend(&out, Text(kLeft + plot_width / 2, kHeight - kBottom + 34, "middle", x_label));
  double legend_x = kLeft;
  for (const PlotSeries& s : series) {
    std::string points;
    for (const auto& [x, y] : s.points) {
      absl::StrAppend(&points, points.empty() ? "" : " ", Number(px(x)), ",", Number(py(y)));
    }
    absl::StrAppend(&out,
                    absl::StrFormat("<polyline class=\"series\" data-series=\"%s\" points=\"%s\" "
                                    "fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>\n",
                                    EscapeXml(s.name), points, EscapeXml(s.color)));
    for (const auto& [x, y] : s.points) {
      absl::StrAppend(
          &out,
          absl::StrFormat("<circle class=\"point\" data-series=\"%s\" data-x=\"%s\" "
                          "data-y=\"%s\" cx=\"%s\" cy=\"%s\" r=\"4\" fill=\"%s\"><title>%s: "
                          "%s at %s</title></circle>\n",
                          EscapeXml(s.name), Number(x), Number(y), Number(px(x)), Number(py(y)),
                          EscapeXml(s.color), EscapeXml(s.name), Number(y), Number(x)));
    }
    absl::StrAppend(&out,
                    absl::StrFormat("<rect x=\"%s\" y=\"%s\" width=\"12\" height=\"12\" "
                                    "fill=\"%s\"/>\n",
                                    Number(legend_x), Number(kHeight - 18), EscapeXml(s.color)),
                    Text(legend_x + 16, kHeight - 8, "start", s.name));
    legend_x += 120;
  }
  absl::StrAppend(&out, "</svg>\n");
  return out;
}

std::string BarChartSvg(absl::string_view title, const std::vector<PlotBar>& bars, double y_max) {
  if (!(y_max > 0)) y_max = 1;
  const double plot_width = kWidth - kLeft - kRight;
  const double plot_height = kHeight - kTop - kBottom;
  std::string out = Header("bar-chart", title, kWidth, kHeight);
  absl::StrAppend(&out, YAxis(0, y_max, "AP"));
  const double slot = bars.empty() ? plot_width : plot_width / static_cast<double>(bars.size());
  for (size_t i = 0; i < bars.size(); ++i) {
    const PlotBar& bar = bars[i];
    const double center = kLeft + slot * (static_cast<double>(i) + 0.5);
    const double value = std::clamp(bar.value, 0.0, y_max);
    const double height = bar.value < 0 ? 0 : plot_height * value / y_max;
    absl::StrAppend(
        &out,
        absl::StrFormat("<rect class=\"bar\" data-label=\"%s\" data-value=\"%s\" x=\"%s\" "
                        "y=\"%s\" width=\"%s\" height=\"%s\" fill=\"#4c78a8\"><title>%s: %s"
                        "</title></rect>\n",
                        EscapeXml(bar.label), Number(bar.value), Number(center - slot * 0.35),
                        Number(kTop + plot_height - height), Number(slot * 0.7), Number(height),
                        EscapeXml(bar.label), bar.value < 0 ? "n/a" : Number(bar.value)),
        Text(center, kTop + plot_height - height - 4, "middle",
             bar.value < 0 ? "n/a" : absl::StrFormat("%.3f", bar.value)),
        Text(center, kHeight - kBottom + 16, "middle", bar.label));
  }
  absl::StrAppend(&out, "</svg>\n");
  return out;
}

std::string HeatmapSvg(absl::string_view title, const std::vector<std::string>& labels,
                       const std::vector<int64_t>& counts) {
  const size_t n = labels.size();
  constexpr double kCell = 56, kMarginLeft = 110, kMarginTop = 70;
  const double width = kMarginLeft + kCell * static_cast<double>(n) + 20;
  const double height = kMarginTop + kCell * static_cast<double>(n) + 40;
  std::string out = Header("heatmap", title, std::max(width, 320.0), height);
  absl::StrAppend(&out, Text(kMarginLeft + kCell * static_cast<double>(n) / 2, 40, "middle",
                             "predicted class"));
  absl::StrAppend(&out, Text(12, kMarginTop - 8, "start", "true class"));
  for (size_t r = 0; r < n; ++r) {
    int64_t row_total = 0;
    for (size_t c = 0; c < n; ++c) {
      if (r * n + c < counts.size()) row_total += counts[r * n + c];
    }
    absl::StrAppend(&out,
                    Text(kMarginLeft - 6, kMarginTop + kCell * (r + 0.5) + 4, "end", labels[r]));
    for (size_t c = 0; c < n; ++c) {
      const int64_t count = r * n + c < counts.size() ? counts[r * n + c] : 0;
      const double share =
          row_total > 0 ? static_cast<double>(count) / static_cast<double>(row_total) : 0;
      // White to dark blue by the share of the row.
      const int red = static_cast<int>(std::lround(255 - 225 * share));
      const int green = static_cast<int>(std::lround(255 - 170 * share));
      const int blue = static_cast<int>(std::lround(255 - 75 * share));
      const double x = kMarginLeft + kCell * static_cast<double>(c);
      const double y = kMarginTop + kCell * static_cast<double>(r);
      absl::StrAppend(
          &out,
          absl::StrFormat("<rect class=\"cell\" data-row=\"%s\" data-col=\"%s\" data-count=\"%d\" "
                          "x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\" fill=\"rgb(%d,%d,%d)\" "
                          "stroke=\"#999999\"><title>true %s, predicted %s: %d</title></rect>\n",
                          EscapeXml(labels[r]), EscapeXml(labels[c]), count, Number(x), Number(y),
                          Number(kCell), Number(kCell), red, green, blue, EscapeXml(labels[r]),
                          EscapeXml(labels[c]), count),
          Text(x + kCell / 2, y + kCell / 2 + 4, "middle", absl::StrCat(count),
               share > 0.6 ? " fill=\"#ffffff\"" : ""));
    }
  }
  for (size_t c = 0; c < n; ++c) {
    absl::StrAppend(&out,
                    Text(kMarginLeft + kCell * (c + 0.5), kMarginTop - 8, "middle", labels[c]));
  }
  absl::StrAppend(&out, "</svg>\n");
  return out;
}

}  // namespace labelloop
