// EvaluateBoxes against cocoeval_reference.py, a numpy transcription of pycocotools' COCOeval, on
// random cases with crowds, ties, boundary areas and more than 100 detections per image. The
// reference writes its files first (a CTest fixture); values must agree to the last bit.
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "trainer/coco_eval.h"
#include "trainer/coco_json.h"

namespace labelloop {
namespace {

std::string CaseFile(const std::string& dir, int n, const char* suffix) {
  std::ostringstream path;
  path << dir << "/case_" << n << "_" << suffix << ".json";
  return path.str();
}

double FromHex(const nlohmann::json& value) {
  return std::strtod(value.get<std::string>().c_str(), nullptr);
}

TEST(CocoEvalCrossCheckTest, MatchesTheNumpyReferenceBitForBit) {
  const char* dir = std::getenv("LABELLOOP_COCO_REFERENCE_DIR");
  if (dir == nullptr) GTEST_SKIP() << "LABELLOOP_COCO_REFERENCE_DIR not set (run through ctest)";
  int cases = 0;
  for (int n = 0;; ++n) {
    std::ifstream expected_file(CaseFile(dir, n, "expected"));
    if (!expected_file) break;
    ++cases;
    SCOPED_TRACE("case " + std::to_string(n));
    const nlohmann::json expected = nlohmann::json::parse(expected_file);
    const absl::StatusOr<CocoGroundTruth> gt = LoadCocoGroundTruthJson(CaseFile(dir, n, "gt"));
    ASSERT_TRUE(gt.ok()) << gt.status();
    const absl::StatusOr<std::vector<CocoDetection>> dets =
        LoadCocoDetectionsJson(CaseFile(dir, n, "dets"));
    ASSERT_TRUE(dets.ok()) << dets.status();
    const CocoEvalResult result = EvaluateBoxes(*gt, *dets);
    const std::array<double, 12> stats = result.stats();
    for (int i = 0; i < 12; ++i) {
      EXPECT_EQ(stats[i], FromHex(expected["stats"][i])) << "stat " << i;
    }
    ASSERT_EQ(result.per_class.size(), expected["per_class"].size());
    for (size_t k = 0; k < result.per_class.size(); ++k) {
      EXPECT_EQ(result.per_class[k].ap, FromHex(expected["per_class"][k]["ap"])) << "class " << k;
      EXPECT_EQ(result.per_class[k].ap50, FromHex(expected["per_class"][k]["ap50"]))
          << "class " << k;
    }
  }
  EXPECT_GT(cases, 0) << "no reference cases in " << dir;
}

}  // namespace
}  // namespace labelloop
