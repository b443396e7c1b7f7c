// The offline model tools, `labelloop model predict|eval`, run as a user would: through the
// labelloop client, which execs labelloop-model. Real facemask photos, and checkpoints that
// model_tool_fixtures.py writes from the checkpoint tests' seeded FCOS.

#include <stdlib.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/testing/run_process.h"

namespace labelloop {
namespace {

namespace fs = std::filesystem;
using ::labelloop::testing::ProcessResult;
using Json = nlohmann::json;

constexpr int kExitError = 1;
constexpr int kExitUsage = 2;
constexpr int kImages = 5;

const fs::path kFacemaskDir = fs::path(LABELLOOP_DATASETS_DIR) / "facemask";
const std::vector<std::string> kClassNames = {"mask_weared_incorrect", "with_mask", "without_mask"};

// A detector config as the daemon reads it: the fixture's network (the default resnet18, FPN 64,
// 2 head convs) at a small input size, so the tests run in seconds.
constexpr char kConfig[] = R"pb(
  detector { min_size: 160 max_size: 256 threads: 2 }
)pb";

class ModelToolTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string pattern = (fs::temp_directory_path() / "labelloop-model-tool-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = new fs::path(pattern);
    absl::StatusOr<ProcessResult> fixtures = testing::RunProcess(
        {LABELLOOP_TORCH_PYTHON, LABELLOOP_MODEL_TOOL_FIXTURES, dir_->string(),
         (kFacemaskDir / "annotations" / "custom_val.json").string(), std::to_string(kImages)},
        absl::Seconds(300), {"OMP_NUM_THREADS=1"});
    ASSERT_TRUE(fixtures.ok()) << fixtures.status();
    ASSERT_EQ(fixtures->exit_code, 0) << fixtures->err;
    std::ofstream(*dir_ / "config.textproto") << kConfig;
  }

  static void TearDownTestSuite() {
    if (dir_ == nullptr) return;
    if (std::getenv("LABELLOOP_KEEP_TEST_DIRS") == nullptr) fs::remove_all(*dir_);
    delete dir_;
    dir_ = nullptr;
  }

  static std::string Path(const std::string& name) { return (*dir_ / name).string(); }

  // The first kImages images of the reduced annotations, as paths.
  static std::vector<std::string> ImagePaths() {
    std::ifstream in(*dir_ / "annotations.json");
    Json coco = Json::parse(in);
    std::vector<std::string> paths;
    for (const Json& image : coco["images"]) {
      paths.push_back((kFacemaskDir / "val2017" / image["file_name"].get<std::string>()).string());
    }
    return paths;
  }

  static ProcessResult Run(const std::string& cli, std::vector<std::string> words) {
    words.insert(words.begin(), cli);
    absl::StatusOr<ProcessResult> result = testing::RunProcess(words, absl::Seconds(300));
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? *result : ProcessResult();
  }
  static ProcessResult Cli(std::vector<std::string> words) {
    return Run(LABELLOOP_CLI_PATH, std::move(words));
  }

  static fs::path* dir_;
};

fs::path* ModelToolTest::dir_ = nullptr;

std::vector<Json> JsonLines(const std::string& text) {
  std::vector<Json> lines;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    lines.push_back(Json::parse(std::string(line)));
  }
  return lines;
}

void ExpectWellFormedDetections(const Json& line, const std::set<std::string>& classes,
                                double min_score) {
  ASSERT_TRUE(line.contains("detections")) << line;
  ASSERT_TRUE(line["detections"].is_array()) << line;
  for (const Json& detection : line["detections"]) {
    ASSERT_TRUE(detection["box"].is_array()) << detection;
    ASSERT_EQ(detection["box"].size(), 4u) << detection;
    for (const Json& value : detection["box"]) {
      ASSERT_TRUE(value.is_number()) << detection;
      EXPECT_TRUE(std::isfinite(value.get<double>())) << detection;
    }
    EXPECT_LE(detection["box"][0].get<double>(), detection["box"][2].get<double>()) << detection;
    EXPECT_LE(detection["box"][1].get<double>(), detection["box"][3].get<double>()) << detection;
    EXPECT_TRUE(classes.count(detection["class"].get<std::string>())) << detection;
    const double score = detection["score"].get<double>();
    EXPECT_GE(score, min_score) << detection;
    EXPECT_LE(score, 1.0) << detection;
  }
}

TEST_F(ModelToolTest, PredictPrintsOneJsonLinePerImageInOrder) {
  std::vector<std::string> images = ImagePaths();
  ASSERT_EQ(images.size(), static_cast<size_t>(kImages));
  std::vector<std::string> words = {"model", "predict", "--config=" + Path("config.textproto"),
                                    "--weights=" + Path("facemask.safetensors"),
                                    "--threshold=0.05"};
  words.insert(words.end(), images.begin(), images.end());
  ProcessResult result = Cli(words);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::vector<Json> lines = JsonLines(result.out);
  ASSERT_EQ(lines.size(), images.size()) << result.out;
  size_t detections = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i]["image"], images[i]);
    ExpectWellFormedDetections(lines[i], {kClassNames.begin(), kClassNames.end()}, 0.05);
    detections += lines[i]["detections"].size();
  }
  // The seeded model's scores sit around 0.3-0.5: a threshold of 0.05 must keep some.
  EXPECT_GT(detections, 0u);
}

TEST_F(ModelToolTest, PredictReadsPthWithClassesFlagAndAgreesWithSafetensors) {
  const std::string image = ImagePaths()[0];
  const std::string config = "--config=" + Path("config.textproto");
  ProcessResult safetensors =
      Cli({"model", "predict", config, "--weights=" + Path("facemask.safetensors"), image});
  ASSERT_EQ(safetensors.exit_code, 0) << safetensors.err;

  // A .pth has no metadata, so no class names: refused with a hint, then given by the flag.
  ProcessResult unnamed =
      Cli({"model", "predict", config, "--weights=" + Path("facemask.pth"), image});
  EXPECT_EQ(unnamed.exit_code, kExitError);
  EXPECT_TRUE(absl::StrContains(unnamed.err, "--classes")) << unnamed.err;
  EXPECT_TRUE(absl::StrContains(unnamed.err, "3 foreground classes")) << unnamed.err;
  EXPECT_TRUE(unnamed.out.empty()) << unnamed.out;

  ProcessResult named = Cli({"model", "predict", config, "--weights=" + Path("facemask.pth"),
                             "--classes=" + absl::StrJoin(kClassNames, ","), image});
  ASSERT_EQ(named.exit_code, 0) << named.err;
  EXPECT_EQ(named.out, safetensors.out);

  // --classes that contradict the checkpoint's own names are a mistake, not an override.
  ProcessResult contradicting =
      Cli({"model", "predict", config, "--weights=" + Path("facemask.safetensors"),
           "--classes=cat,dog,bird", image});
  EXPECT_EQ(contradicting.exit_code, kExitError);
  EXPECT_TRUE(absl::StrContains(contradicting.err, "disagrees")) << contradicting.err;
}

TEST_F(ModelToolTest, PredictWithoutWeightsSaysTheyAreRandom) {
  ProcessResult result = Cli({"model", "predict", "--config=" + Path("config.textproto"),
                              "--classes=a,b", ImagePaths()[0]});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(absl::StrContains(result.err, "RANDOM weights")) << result.err;
  std::vector<Json> lines = JsonLines(result.out);
  ASSERT_EQ(lines.size(), 1u);
  ExpectWellFormedDetections(lines[0], {"a", "b"}, 0.0);
}

TEST_F(ModelToolTest, PredictReportsAnUnreadableImageAndGoesOn) {
  const fs::path text = *dir_ / "not-an-image.jpg";
  std::ofstream(text) << "plain text\n";
  ProcessResult result =
      Cli({"model", "predict", "--config=" + Path("config.textproto"),
           "--weights=" + Path("facemask.safetensors"), text.string(), ImagePaths()[1]});
  EXPECT_EQ(result.exit_code, kExitError);
  EXPECT_TRUE(absl::StrContains(result.err, text.string())) << result.err;
  std::vector<Json> lines = JsonLines(result.out);
  ASSERT_EQ(lines.size(), 1u) << result.out;
  EXPECT_EQ(lines[0]["image"], ImagePaths()[1]);
}

TEST_F(ModelToolTest, EvalPrintsEveryMetricInRange) {
  ProcessResult result =
      Cli({"model", "eval", "--config=" + Path("config.textproto"),
           "--weights=" + Path("facemask.safetensors"), "--coco=" + Path("annotations.json"),
           "--images=" + (kFacemaskDir / "val2017").string(), "--threshold=0.05"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::vector<Json> lines = JsonLines(result.out);
  ASSERT_EQ(lines.size(), 1u) << result.out;
  const Json& metrics = lines[0];
  for (const char* key :
       {"map", "map50", "map75", "map_small", "map_medium", "map_large", "ar100"}) {
    ASSERT_TRUE(metrics.contains(key)) << key << " in " << metrics;
    ASSERT_TRUE(metrics[key].is_number()) << key << " in " << metrics;
    EXPECT_GE(metrics[key].get<double>(), -1.0) << key;
    EXPECT_LE(metrics[key].get<double>(), 1.0) << key;
  }
  ASSERT_TRUE(metrics["per_class"].is_object()) << metrics;
  std::set<std::string> classes;
  for (const auto& [name, ap] : metrics["per_class"].items()) {
    classes.insert(name);
    EXPECT_GE(ap.get<double>(), -1.0) << name;
    EXPECT_LE(ap.get<double>(), 1.0) << name;
  }
  EXPECT_EQ(classes, std::set<std::string>(kClassNames.begin(), kClassNames.end()));
  EXPECT_TRUE(absl::StrContains(result.err, absl::StrCat(kImages, "/", kImages, " images")))
      << result.err;
}

TEST_F(ModelToolTest, EvalRefusesAMissingImage) {
  ProcessResult result = Cli({"model", "eval", "--config=" + Path("config.textproto"),
                              "--weights=" + Path("facemask.safetensors"),
                              "--coco=" + Path("annotations.json"), "--images=" + dir_->string()});
  EXPECT_EQ(result.exit_code, kExitError);
  EXPECT_TRUE(absl::StrContains(result.err, "no such image file")) << result.err;
  EXPECT_TRUE(result.out.empty()) << result.out;
}

TEST_F(ModelToolTest, MissingCheckpointIsAClearError) {
  const std::string missing = Path("no-such.safetensors");
  for (const char* verb : {"predict", "eval"}) {
    std::vector<std::string> words = {"model", verb, "--config=" + Path("config.textproto"),
                                      "--weights=" + missing};
    if (std::string(verb) == "eval") {
      words.push_back("--coco=" + Path("annotations.json"));
      words.push_back("--images=" + (kFacemaskDir / "val2017").string());
    } else {
      words.push_back(ImagePaths()[0]);
    }
    ProcessResult result = Cli(words);
    EXPECT_EQ(result.exit_code, kExitError) << verb;
    EXPECT_TRUE(absl::StrContains(result.err, missing)) << verb << ": " << result.err;
    EXPECT_TRUE(result.out.empty()) << verb << ": " << result.out;
  }
}

TEST_F(ModelToolTest, MismatchedCheckpointNamesTheBadTensor) {
  ProcessResult result = Cli({"model", "predict", "--config=" + Path("config.textproto"),
                              "--weights=" + Path("six_classes.safetensors"), ImagePaths()[0]});
  EXPECT_EQ(result.exit_code, kExitError);
  EXPECT_TRUE(absl::StrContains(result.err, "does not fit")) << result.err;
  EXPECT_TRUE(absl::StrContains(result.err, "cls_logits")) << result.err;
  EXPECT_TRUE(result.out.empty()) << result.out;

  // A truncated file is refused too, naming it.
  const fs::path truncated = *dir_ / "truncated.safetensors";
  fs::copy_file(*dir_ / "facemask.safetensors", truncated, fs::copy_options::overwrite_existing);
  fs::resize_file(truncated, fs::file_size(truncated) / 2);
  result = Cli({"model", "predict", "--config=" + Path("config.textproto"),
                "--weights=" + truncated.string(), ImagePaths()[0]});
  EXPECT_EQ(result.exit_code, kExitError);
  EXPECT_TRUE(absl::StrContains(result.err, truncated.string())) << result.err;
}

TEST_F(ModelToolTest, EvalWithNoMatchingCategoryIsRefused) {
  const fs::path pth = *dir_ / "facemask.pth";
  ProcessResult result =
      Cli({"model", "eval", "--config=" + Path("config.textproto"), "--weights=" + pth.string(),
           "--classes=cat,dog,bird", "--coco=" + Path("annotations.json"),
           "--images=" + (kFacemaskDir / "val2017").string()});
  EXPECT_EQ(result.exit_code, kExitError);
  EXPECT_TRUE(absl::StrContains(result.err, "matched by name")) << result.err;
}

TEST_F(ModelToolTest, UsageMistakesExitTwo) {
  EXPECT_EQ(Cli({"model", "predict", "--config=" + Path("config.textproto")}).exit_code,
            kExitUsage);
  EXPECT_EQ(Cli({"model", "eval", "--config=" + Path("config.textproto")}).exit_code, kExitUsage);
  EXPECT_EQ(Cli({"model", "predict", "--config=x", "--bogus=1", "a.jpg"}).exit_code, kExitUsage);
  EXPECT_EQ(Run(LABELLOOP_MODEL_TOOL_PATH, {"frobnicate"}).exit_code, kExitUsage);
}

TEST_F(ModelToolTest, MissingModelToolIsNamed) {
  // A labelloop installed alone, without labelloop-model beside it.
  const fs::path lonely = *dir_ / "lonely";
  fs::create_directories(lonely);
  fs::copy_file(LABELLOOP_CLI_PATH, lonely / "labelloop", fs::copy_options::overwrite_existing);
  ProcessResult result =
      Run((lonely / "labelloop").string(),
          {"model", "predict", "--config=" + Path("config.textproto"), ImagePaths()[0]});
  EXPECT_EQ(result.exit_code, kExitError);
  EXPECT_TRUE(absl::StrContains(result.err, (lonely / "labelloop-model").string())) << result.err;
}

}  // namespace
}  // namespace labelloop
