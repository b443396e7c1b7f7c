#ifndef LABELLOOP_BENCHMARKS_AL_SIM_SIM_RUN_H_
#define LABELLOOP_BENCHMARKS_AL_SIM_SIM_RUN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "benchmarks/al_sim/sim_dataset.h"
#include "labelloop/v1/config.pb.h"

namespace labelloop {

// One point of a learning curve: the serving model after a training round, evaluated on the
// fixed test split (and on the tuning split when one is given).
struct SimRound {
  int64_t images = 0;  // labeled images so far (the daemon's validation share included)
  int64_t boxes = 0;   // ground-truth boxes in them
  double map = 0;      // COCO AP@[.5:.95] on the test split
  double map50 = 0;
  // AP@[.5:.95] per class on the test split, in the pool's class order (-1: no test boxes).
  std::vector<double> class_ap;
  // Labeled ground-truth boxes per class, in the same order: the class mix a strategy buys,
  // which is what its boxes are worth to a mean over classes.
  std::vector<int64_t> class_boxes;
  // The same on the tuning split; -1 when the run had none.
  double tune_map = -1;
  double tune_map50 = -1;
  double seconds = 0;  // wall time of this round: labeling RPCs, training, re-scoring, evaluation
  std::string model_version;
  bool promoted = false;
};

struct SimRunOptions {
  std::string strategy;
  std::string name;  // how progress lines name the run (STRATEGY_VARIANT); the strategy if empty
  int seed = 1;
  int initial = 20;
  int step = 20;
  int rounds = 3;
  std::string labelloopd;  // executable
  std::string work_dir;    // data folder, config and log of this run's daemon
  // The user's config; the simulator overrides strategy, seeds, triggers and the listen address.
  v1::DaemonConfig config;
  double eval_score_threshold = 0.01;
  // The rounds this run already measured in work_dir (al-sim --resume). When given, the daemon
  // restarts on that data folder (pool, labels, models and pool scores kept) and the run goes on
  // after them to `rounds` in all, so a budget can grow without re-running what was measured.
  // Each round's model depends only on the labeled set when training.reset_weights_each_round
  // is set; the picks after a restart are the strategy's own, though hybrid's random share then
  // draws from another stream than an unbroken run would.
  std::vector<SimRound> done;
};

// The images a seed starts every strategy with: the first `count` of a seeded shuffle of the pool.
std::vector<size_t> InitialSet(size_t pool_size, int count, int seed);

// Starts a fresh labelloopd, adds the pool, labels the initial set, then trains, evaluates and
// labels `step` more images from the queue, `rounds` times (with options.done: restarts the
// run's daemon, checks its labels are the last done round's, and returns done plus the new
// rounds; FailedPrecondition when the work folder does not match). Progress goes to stdout. `tune`,
// if not null, is evaluated beside `test` after every round: a split to choose settings on, so that
// the test split only reports. Which images are picked never depends on either split.
absl::StatusOr<std::vector<SimRound>> RunSimulation(const SimRunOptions& options,
                                                    const SimDataset& pool, const SimDataset& test,
                                                    const SimDataset* tune = nullptr);

}  // namespace labelloop

#endif  // LABELLOOP_BENCHMARKS_AL_SIM_SIM_RUN_H_
