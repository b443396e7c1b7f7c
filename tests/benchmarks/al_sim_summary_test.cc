// The summary of labelloop-al-sim: mean curves over seeds, the interpolated labels needed to
// reach random's final mAP, and the results file read back as written.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

#include "benchmarks/al_sim/sim_results.h"

namespace labelloop {
namespace {

SimRound Point(int64_t images, int64_t boxes, double map) {
  SimRound round;
  round.images = images;
  round.boxes = boxes;
  round.map = map;
  round.map50 = map;
  round.seconds = 1;
  return round;
}

TEST(AlSimSummaryTest, MeanCurveAveragesSeedsOverCommonRounds) {
  std::vector<SimRunResult> runs = {
      {"random", 1, {Point(10, 20, 0.1), Point(20, 40, 0.2)}},
      {"random", 2, {Point(10, 30, 0.3), Point(20, 50, 0.4), Point(30, 70, 0.5)}},
  };
  MeanCurve curve = MeanCurveOf(runs, "random");
  ASSERT_EQ(curve.map.size(), 2u);
  EXPECT_DOUBLE_EQ(curve.images[1], 20);
  EXPECT_DOUBLE_EQ(curve.boxes[0], 25);
  EXPECT_DOUBLE_EQ(curve.map[1], 0.3);
}

TEST(AlSimSummaryTest, LabelsToReachInterpolatesBetweenRounds) {
  MeanCurve curve{{10, 20, 30}, {20, 40, 60}, {0.1, 0.2, 0.4}};
  LabelsNeeded needed = LabelsToReach(curve, 0.3);
  ASSERT_TRUE(needed.reached);
  EXPECT_DOUBLE_EQ(needed.images, 25);
  EXPECT_DOUBLE_EQ(needed.boxes, 50);
  EXPECT_FALSE(LabelsToReach(curve, 0.5).reached);
  EXPECT_DOUBLE_EQ(LabelsToReach(curve, 0.05).images, 10);
}

TEST(AlSimSummaryTest, TableReportsSavingsAndUnreachedTargets) {
  std::vector<SimRunResult> runs = {
      {"random", 1, {Point(10, 20, 0.1), Point(20, 40, 0.2), Point(30, 60, 0.3)}},
      {"hybrid", 1, {Point(10, 20, 0.1), Point(20, 40, 0.3), Point(30, 60, 0.4)}},
      {"entropy", 1, {Point(10, 20, 0.1), Point(20, 40, 0.15), Point(30, 60, 0.2)}},
  };
  const std::string table = SummaryTable(runs);
  // hybrid reaches 0.3 at 20 images: a third fewer than random's 30.
  EXPECT_NE(table.find("33.3%"), std::string::npos) << table;
  EXPECT_NE(table.find("not reached"), std::string::npos) << table;
}

TEST(AlSimSummaryTest, NoTableWhenRandomLearnedNothing) {
  std::vector<SimRunResult> runs = {{"random", 1, {Point(10, 20, 0)}},
                                    {"hybrid", 1, {Point(10, 20, 0)}}};
  EXPECT_NE(SummaryTable(runs).find("no comparison"), std::string::npos);
}

TEST(AlSimSummaryTest, ResultsJsonReadsBack) {
  std::vector<SimRunResult> runs = {{"hybrid", 2, {Point(10, 20, 0.25)}}};
  const std::string path =
      (std::filesystem::temp_directory_path() / "al_sim_summary_test.json").string();
  ASSERT_TRUE(WriteResultsJson(runs, path).ok());
  absl::StatusOr<std::vector<SimRunResult>> back = ReadResultsJson(path);
  std::remove(path.c_str());
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_EQ(back->size(), 1u);
  EXPECT_EQ((*back)[0].strategy, "hybrid");
  EXPECT_EQ((*back)[0].seed, 2);
  EXPECT_EQ((*back)[0].rounds[0].boxes, 20);
  EXPECT_DOUBLE_EQ((*back)[0].rounds[0].map, 0.25);
}

}  // namespace
}  // namespace labelloop
