// `labelloop report`: the page renders in headless Chromium with its plots and numbers, and the
// command works against a real daemon.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "cli/report/report_html.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/cli_runner.h"
#include "tests/testing/run_process.h"
#include "tests/testing/test_daemon.h"

namespace labelloop {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

// The browser the setup script installs; empty when this machine has none.
std::string ChromiumPath() {
  for (const char* path : {"/usr/bin/chromium", "/usr/bin/chromium-browser"}) {
    if (fs::exists(path)) return path;
  }
  return "";
}

int CountOccurrences(const std::string& text, const std::string& needle) {
  int count = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++count;
  }
  return count;
}

v1::Model Version(const std::string& name, int64_t created, int64_t labels, double map,
                  double map50) {
  v1::Model model;
  model.set_version(name);
  model.set_created_unix_ms(created);
  model.set_train_labels(labels);
  model.set_status(v1::MODEL_STATUS_RETIRED);
  model.mutable_metrics()->set_map(map);
  model.mutable_metrics()->set_map50(map50);
  model.mutable_metrics()->set_val_images(12);
  return model;
}

// Three versions as a project with BCCD's classes would have them; v3 serves with a full
// error analysis.
v1::ListModelsResponse HandMadeModels() {
  v1::ListModelsResponse models;
  *models.add_models() = Version("v1", 1000, 20, 0.05, 0.12);
  *models.add_models() = Version("v2", 2000, 45, 0.21, 0.44);
  v1::Model v3 = Version("v3", 3000, 80, 0.37, 0.68);
  v3.set_status(v1::MODEL_STATUS_SERVING);
  v1::ModelMetrics* m = v3.mutable_metrics();
  const std::string names[] = {"Platelets", "RBC", "WBC"};
  const double ap[] = {0.18, 0.41, -1};
  const int64_t fp[] = {3, 5, 0};
  const int64_t misses[] = {4, 7, 0};
  for (int k = 0; k < 3; ++k) {
    v1::ClassMetrics* c = m->add_per_class();
    c->set_class_name(names[k]);
    c->set_ap(ap[k]);
    c->set_ap50(ap[k] < 0 ? -1 : ap[k] + 0.25);
    c->set_true_positives(10 + k);
    c->set_false_positives(fp[k]);
    c->set_misses(misses[k]);
  }
  v1::ConfusionMatrix* confusion = m->mutable_confusion();
  for (const char* label : {"Platelets", "RBC", "WBC", "background"}) confusion->add_labels(label);
  for (int64_t count : {10, 1, 0, 3, 2, 11, 0, 5, 0, 0, 0, 0, 1, 4, 0, 0}) {
    confusion->add_counts(count);
  }
  confusion->set_score_threshold(0.3);
  confusion->set_iou_threshold(0.5);
  v1::HardImage* hard = m->add_hardest_images();
  hard->set_image_id(5);
  hard->set_f1(0.25);
  hard->set_true_positives(1);
  hard->set_false_positives(3);
  hard->set_misses(3);
  v1::AutoLabelCalibration* autolabel = m->mutable_autolabel();
  autolabel->set_found(true);
  autolabel->set_threshold(0.812);
  autolabel->set_precision(0.96);
  autolabel->set_target_precision(0.95);
  autolabel->set_support(25);
  autolabel->set_recall(0.4);
  *models.add_models() = v3;
  models.set_serving_version("v3");
  return models;
}

TEST(ReportHtmlTest, RendersPlotsAndNumbersInHeadlessChromium) {
  const std::string chromium = ChromiumPath();
  if (chromium.empty()) GTEST_SKIP() << "chromium is not installed (scripts/setup installs it)";
  const fs::path dir = fs::path(::testing::TempDir()) / "labelloop_report_test";
  fs::remove_all(dir);
  fs::create_directories(dir / "images");
  fs::copy_file(fs::path(LABELLOOP_DATASETS_DIR) / "bccd/JPEGImages/BloodImage_00000.jpg",
                dir / "images/5.jpg");
  ReportInput input;
  input.models = HandMadeModels();
  input.thumbnails[5] = "images/5.jpg";
  input.server = "127.0.0.1:1 <test>";
  {
    std::ofstream out(dir / "index.html");
    out << ReportHtml(input);
  }
  const std::string url = absl::StrCat("file://", fs::absolute(dir / "index.html").string());
  const std::vector<std::string> browser = {
      chromium, "--headless", "--disable-gpu", "--no-sandbox",
      absl::StrCat("--user-data-dir=", (dir / "profile").string())};

  std::vector<std::string> dump = browser;
  dump.insert(dump.end(), {"--dump-dom", url});
  absl::StatusOr<testing::ProcessResult> dom = testing::RunProcess(dump, absl::Seconds(60));
  ASSERT_TRUE(dom.ok()) << dom.status();
  ASSERT_EQ(dom->exit_code, 0) << dom->err;
  const std::string& html = dom->out;
  // The learning curve: one marker per version and series, with its numbers.
  EXPECT_EQ(CountOccurrences(html, "class=\"point\""), 6);
  EXPECT_THAT(html, HasSubstr("data-series=\"mAP50\" data-x=\"80\" data-y=\"0.68\""));
  EXPECT_THAT(html, HasSubstr("data-series=\"mAP\" data-x=\"20\" data-y=\"0.05\""));
  // Per-class AP bars (two charts), WBC unmeasured.
  EXPECT_EQ(CountOccurrences(html, "class=\"bar\""), 6);
  EXPECT_THAT(html, HasSubstr("data-label=\"RBC\" data-value=\"0.41\""));
  EXPECT_THAT(html, HasSubstr("data-label=\"WBC\" data-value=\"-1\""));
  // The confusion matrix: 4 x 4 cells, background row and column.
  EXPECT_EQ(CountOccurrences(html, "class=\"cell\""), 16);
  EXPECT_THAT(html, HasSubstr("data-row=\"RBC\" data-col=\"Platelets\" data-count=\"2\""));
  EXPECT_THAT(html, HasSubstr("data-row=\"background\" data-col=\"RBC\" data-count=\"4\""));
  // False positives and misses per class, the hardest image with its picture, auto-labeling.
  EXPECT_THAT(html, HasSubstr("<td class=\"fp\">5</td><td class=\"misses\">7</td>"));
  EXPECT_THAT(html, HasSubstr("data-image-id=\"5\"><img src=\"images/5.jpg\""));
  EXPECT_THAT(html, HasSubstr("<b class=\"threshold\">0.812</b>"));
  EXPECT_THAT(html, HasSubstr("<b id=\"reported-version\">v3</b>"));
  EXPECT_THAT(html, HasSubstr("127.0.0.1:1 &lt;test&gt;"));
  EXPECT_THAT(html, Not(HasSubstr("<script")));

  // A screenshot that is not blank: many pixels far from white (plots, text, the blood cells).
  const fs::path png = dir / "page.png";
  std::vector<std::string> shot = browser;
  shot.insert(shot.end(), {"--hide-scrollbars", "--window-size=1000,2400",
                           absl::StrCat("--screenshot=", png.string()), url});
  absl::StatusOr<testing::ProcessResult> screenshot = testing::RunProcess(shot, absl::Seconds(60));
  ASSERT_TRUE(screenshot.ok()) << screenshot.status();
  ASSERT_EQ(screenshot->exit_code, 0) << screenshot->err;
  ASSERT_TRUE(fs::exists(png));
  absl::StatusOr<testing::ProcessResult> ink =
      testing::RunProcess({LABELLOOP_NUMPY_PYTHON, "-c",
                           "import sys, matplotlib.image as m; a = m.imread(sys.argv[1])[..., :3]; "
                           "print(a.shape[0], a.shape[1], float((a.min(axis=2) < 0.8).mean()))",
                           png.string()},
                          absl::Seconds(60));
  ASSERT_TRUE(ink.ok()) << ink.status();
  ASSERT_EQ(ink->exit_code, 0) << ink->err;
  int height = 0, width = 0;
  double inked = 0;
  ASSERT_EQ(std::sscanf(ink->out.c_str(), "%d %d %lf", &height, &width, &inked), 3) << ink->out;
  EXPECT_EQ(width, 1000);
  EXPECT_EQ(height, 2400);
  EXPECT_GT(inked, 0.02) << "the screenshot is (nearly) blank";
}

TEST(ReportCommandTest, WritesAPageFromARealDaemon) {
  absl::StatusOr<std::unique_ptr<testing::TestDaemon>> daemon = testing::TestDaemon::Start();
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  const testing::CliRunner cli(LABELLOOP_CLI_PATH, (*daemon)->address());
  const fs::path dir = fs::path(::testing::TempDir()) / "labelloop_report_cli";
  fs::remove_all(dir);
  const std::string out = cli.RunOk({"report", absl::StrCat("--out=", dir.string())});
  EXPECT_THAT(out, HasSubstr("index.html"));
  const std::string page = testing::ReadFileBytes(dir / "index.html");
  EXPECT_THAT(page, HasSubstr("id=\"no-models\""));
  EXPECT_THAT(page, HasSubstr((*daemon)->address()));

  const testing::ProcessResult missing = cli.Run({"report"});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_THAT(missing.err, HasSubstr("--out"));
}

}  // namespace
}  // namespace labelloop
