#ifndef LABELLOOP_BENCHMARKS_AL_SIM_SIM_RESULTS_H_
#define LABELLOOP_BENCHMARKS_AL_SIM_SIM_RESULTS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "benchmarks/al_sim/sim_run.h"

namespace labelloop {

struct SimRunResult {
  std::string strategy;
  int seed = 0;
  std::vector<SimRound> rounds;
};

// {"runs":[{"strategy":S,"seed":K,"rounds":[{"images","boxes","map","map50","seconds"}]}]},
// each round also with "class_ap" (test AP per pool class), "class_boxes" (labeled boxes per
// pool class) and, with a tuning split,
// "tune_map" and "tune_map50".
std::string ResultsJson(const std::vector<SimRunResult>& runs);
// Reads a results.json back (for --summarize of a finished or stopped benchmark).
absl::StatusOr<std::vector<SimRunResult>> ReadResultsJson(const std::string& path);
absl::Status WriteResultsJson(const std::vector<SimRunResult>& runs, const std::string& path);

// The runs of several benchmarks as one (processes run side by side, or seeds added later),
// ordered by seed, then input order. A strategy that ran the same seed twice is an error: the two
// would be averaged as if they were different seeds.
absl::StatusOr<std::vector<SimRunResult>> MergeRuns(
    const std::vector<std::vector<SimRunResult>>& parts);

// Which evaluation a curve or summary reads: the test split (SimRound::map) or the tuning split
// (SimRound::tune_map), the one settings are chosen on.
enum class EvalSplit { kTest, kTuning };

// True when some round was evaluated on a tuning split.
bool HasTuningSplit(const std::vector<SimRunResult>& runs);

// The learning curve of one strategy averaged over its seeds, round by round (only rounds every
// seed reached).
struct MeanCurve {
  std::vector<double> images, boxes, map;
};
MeanCurve MeanCurveOf(const std::vector<SimRunResult>& runs, const std::string& strategy,
                      EvalSplit split = EvalSplit::kTest);

// Where a curve first reaches `target` mAP, interpolated linearly between rounds; false when it
// never does (or starts above it, where the labels needed are at most its first point's).
struct LabelsNeeded {
  bool reached = false;
  double images = 0;
  double boxes = 0;
};
LabelsNeeded LabelsToReach(const MeanCurve& curve, double target);

// For each strategy: the images and boxes it needed to reach random's final mean mAP, and the
// share saved against random's final images and boxes. Needs a "random" run; says so otherwise
// (and, for the tuning split, every run evaluated on it).
std::string SummaryTable(const std::vector<SimRunResult>& runs, EvalSplit split = EvalSplit::kTest);

}  // namespace labelloop

#endif  // LABELLOOP_BENCHMARKS_AL_SIM_SIM_RESULTS_H_
