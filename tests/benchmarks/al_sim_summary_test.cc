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

TEST(AlSimSummaryTest, TableColumnsFitLongStrategyNames) {
  std::vector<SimRunResult> runs = {
      {"random", 1, {Point(10, 20, 0.1), Point(20, 40, 0.2)}},
      {"hybrid_a_long_merged_name", 1, {Point(10, 20, 0.1), Point(20, 40, 0.3)}},
  };
  const std::string table = SummaryTable(runs);
  // Every row of the table (header, rule, one per strategy) has its bars at the same places.
  std::vector<std::string> rows;
  for (size_t start = 0, end; (end = table.find('\n', start)) != std::string::npos;
       start = end + 1) {
    if (table[start] == '|') rows.push_back(table.substr(start, end - start));
  }
  ASSERT_EQ(rows.size(), 4u) << table;
  for (const std::string& row : rows) {
    EXPECT_EQ(row.size(), rows[0].size()) << table;
    EXPECT_EQ(row.find('|', 1), rows[0].find('|', 1)) << table;
  }
}

TEST(AlSimSummaryTest, NoTableWhenRandomLearnedNothing) {
  std::vector<SimRunResult> runs = {{"random", 1, {Point(10, 20, 0)}},
                                    {"hybrid", 1, {Point(10, 20, 0)}}};
  EXPECT_NE(SummaryTable(runs).find("no comparison"), std::string::npos);
}

SimRound TunedPoint(int64_t images, int64_t boxes, double map, double tune_map) {
  SimRound round = Point(images, boxes, map);
  round.tune_map = tune_map;
  round.tune_map50 = tune_map;
  return round;
}

TEST(AlSimSummaryTest, TuningSplitTableReadsTheTuningCurve) {
  // On the test split hybrid saves nothing; on the tuning split it reaches random's 0.3 at 20.
  std::vector<SimRunResult> runs = {
      {"random", 1, {TunedPoint(10, 20, 0.1, 0.1), TunedPoint(30, 60, 0.3, 0.3)}},
      {"hybrid", 1, {TunedPoint(10, 20, 0.1, 0.2), TunedPoint(30, 60, 0.3, 0.4)}},
  };
  ASSERT_TRUE(HasTuningSplit(runs));
  EXPECT_DOUBLE_EQ(MeanCurveOf(runs, "hybrid", EvalSplit::kTuning).map[1], 0.4);
  const std::string tuning = SummaryTable(runs, EvalSplit::kTuning);
  EXPECT_NE(tuning.find("tuning-split mAP 0.3000"), std::string::npos) << tuning;
  EXPECT_NE(tuning.find("33.3%"), std::string::npos) << tuning;
  const std::string test = SummaryTable(runs);
  EXPECT_NE(test.find("test mAP 0.3000"), std::string::npos) << test;
  EXPECT_EQ(test.find("33.3%"), std::string::npos) << test;
}

TEST(AlSimSummaryTest, NoTuningTableWhenARunWasNotEvaluatedOnIt) {
  std::vector<SimRunResult> runs = {{"random", 1, {TunedPoint(10, 20, 0.1, 0.1)}},
                                    {"hybrid", 1, {Point(10, 20, 0.2)}}};
  EXPECT_NE(SummaryTable(runs, EvalSplit::kTuning).find("hybrid seed 1 has no tuning-split"),
            std::string::npos);
  EXPECT_FALSE(HasTuningSplit({{"random", 1, {Point(10, 20, 0.1)}}}));
}

TEST(AlSimSummaryTest, ResultsJsonReadsBack) {
  SimRound tuned = TunedPoint(10, 20, 0.25, 0.5);
  tuned.class_ap = {0.125, -1};
  tuned.class_boxes = {15, 5};
  std::vector<SimRunResult> runs = {{"hybrid", 2, {Point(10, 20, 0.25), tuned}}};
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
  // Optional fields: absent in the first round (older files read the same way), kept in the
  // second.
  EXPECT_TRUE((*back)[0].rounds[0].class_ap.empty());
  EXPECT_TRUE((*back)[0].rounds[0].class_boxes.empty());
  EXPECT_DOUBLE_EQ((*back)[0].rounds[0].tune_map, -1);
  ASSERT_EQ((*back)[0].rounds.size(), 2u);
  EXPECT_EQ((*back)[0].rounds[1].class_ap, (std::vector<double>{0.125, -1}));
  EXPECT_EQ((*back)[0].rounds[1].class_boxes, (std::vector<int64_t>{15, 5}));
  EXPECT_DOUBLE_EQ((*back)[0].rounds[1].tune_map, 0.5);
  EXPECT_DOUBLE_EQ((*back)[0].rounds[1].tune_map50, 0.5);
}

TEST(AlSimSummaryTest, MergeOrdersBySeedThenInputOrder) {
  absl::StatusOr<std::vector<SimRunResult>> merged =
      MergeRuns({{{"random", 2, {Point(10, 20, 0.1)}}, {"random", 1, {Point(10, 21, 0.1)}}},
                 {{"hybrid_box", 1, {Point(10, 22, 0.2)}}}});
  ASSERT_TRUE(merged.ok()) << merged.status();
  ASSERT_EQ(merged->size(), 3u);
  EXPECT_EQ((*merged)[0].strategy, "random");
  EXPECT_EQ((*merged)[0].seed, 1);
  EXPECT_EQ((*merged)[0].rounds[0].boxes, 21);
  EXPECT_EQ((*merged)[1].strategy, "hybrid_box");
  EXPECT_EQ((*merged)[2].strategy, "random");
  EXPECT_EQ((*merged)[2].seed, 2);
}

TEST(AlSimSummaryTest, MergeRefusesASeedTwice) {
  absl::StatusOr<std::vector<SimRunResult>> merged =
      MergeRuns({{{"hybrid", 1, {Point(10, 20, 0.1)}}}, {{"hybrid", 1, {Point(10, 20, 0.3)}}}});
  ASSERT_FALSE(merged.ok());
  EXPECT_EQ(merged.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(merged.status().message().find("hybrid seed 1"), std::string::npos);
}

}  // namespace
}  // namespace labelloop
