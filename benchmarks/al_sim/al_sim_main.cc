// labelloop-al-sim: the active-learning benchmark. Acts as a perfect annotator against a real
// labelloopd and records learning curves (test mAP against labels) for each sampling strategy.
#include <google/protobuf/text_format.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "benchmarks/al_sim/sim_dataset.h"
#include "benchmarks/al_sim/sim_results.h"
#include "benchmarks/al_sim/sim_run.h"

ABSL_FLAG(std::string, train_coco, "", "COCO instances file of the pool.");
ABSL_FLAG(std::string, train_images, "", "Image folder of --train-coco.");
ABSL_FLAG(std::string, test_coco, "", "COCO instances file of the test split.");
ABSL_FLAG(std::string, test_images, "", "Image folder of --test-coco.");
ABSL_FLAG(std::string, train_voc, "", "Pascal VOC folder of the pool.");
ABSL_FLAG(std::string, test_voc, "", "Pascal VOC folder of the test split.");
ABSL_FLAG(std::string, voc_train_set, "trainval", "ImageSets/Main list of the pool (VOC).");
ABSL_FLAG(std::string, voc_test_set, "test", "ImageSets/Main list of the test split (VOC).");
ABSL_FLAG(std::string, train_yolo, "",
          "YOLO txt folder of the pool (classes.txt, images/, labels/).");
ABSL_FLAG(std::string, test_yolo, "", "YOLO txt folder of the test split.");
ABSL_FLAG(std::string, tune_coco, "",
          "Optional tuning split (COCO), evaluated beside the test split after every round: "
          "choose settings on it, report on the test split.");
ABSL_FLAG(std::string, tune_images, "", "Image folder of --tune-coco.");
ABSL_FLAG(std::string, tune_voc, "", "Optional tuning split (Pascal VOC folder).");
ABSL_FLAG(std::string, tune_yolo, "", "Optional tuning split (YOLO txt folder).");
ABSL_FLAG(std::string, voc_tune_set, "val", "ImageSets/Main list of the tuning split (VOC).");
ABSL_FLAG(std::string, strategies, "random,entropy,hybrid", "Sampler strategies to compare.");
ABSL_FLAG(int, seeds, 3, "Seeds per strategy: --first-seed and the N-1 after it.");
ABSL_FLAG(int, first_seed, 1,
          "The first seed run: to add seeds to a finished benchmark (--first-seed=4 --seeds=3), "
          "or split one over processes; merge the results with --merge.");
ABSL_FLAG(std::string, variant, "",
          "A name for what --config changes: each run is recorded as STRATEGY_VARIANT (e.g. "
          "hybrid_box05), so the results of several configs merge side by side.");
ABSL_FLAG(int, initial, 20, "Images in the initial random set (the same for every strategy).");
ABSL_FLAG(int, step, 20, "Images labeled per round after the first.");
ABSL_FLAG(int, rounds, 4, "Training rounds (learning-curve points) per run.");
ABSL_FLAG(std::string, config, "",
          "labelloopd config (text format); strategy, seeds and "
          "training triggers are set by the simulator.");
ABSL_FLAG(std::string, out, "", "Output folder: results.json, curves.png, summary.txt, work/.");
ABSL_FLAG(double, eval_score_threshold, 0.01, "Predict threshold for the test evaluation.");
ABSL_FLAG(bool, summarize, false,
          "Only print the summary and draw the curves of an existing --out/results.json (a "
          "finished or stopped benchmark).");
ABSL_FLAG(bool, resume, false,
          "Go on with the runs in --out/results.json (the --strategies, --variant and seeds "
          "named) to --rounds rounds each, restarting their daemons on --out/work: a budget "
          "extended without re-running what was measured. Needs the same data, --config, "
          "--initial and --step.");
ABSL_FLAG(std::string, merge, "",
          "Comma-separated results.json files (or folders holding one) of benchmarks on the same "
          "data: written together as --out/results.json, then summarized as --summarize does.");
ABSL_FLAG(std::string, labelloopd, LABELLOOPD_PATH, "The daemon executable.");
ABSL_FLAG(std::string, plot_script, PLOT_SCRIPT_PATH, "plot_curves.py; empty: no plot.");

namespace labelloop {
namespace {

// One split given as COCO (file + image folder), VOC or YOLO; exactly one of the three.
struct SplitFlags {
  std::string coco, images, voc, voc_set, yolo;
};

absl::StatusOr<SimDataset> LoadSplit(const SplitFlags& flags, const std::string& which) {
  const int given = !flags.coco.empty() + !flags.voc.empty() + !flags.yolo.empty();
  if (given > 1) {
    return absl::InvalidArgumentError(absl::StrCat("give one of --", which, "-coco, --", which,
                                                   "-voc and --", which, "-yolo, not several"));
  }
  if (!flags.coco.empty()) {
    if (flags.images.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", which, "-coco needs --", which, "-images"));
    }
    return LoadCocoDataset(flags.coco, flags.images);
  }
  if (!flags.voc.empty()) return LoadVocDataset(flags.voc, flags.voc_set);
  if (!flags.yolo.empty()) return LoadYoloDataset(flags.yolo);
  return absl::InvalidArgumentError(
      absl::StrCat("give --", which, "-coco, --", which, "-voc or --", which, "-yolo"));
}

int Report(const std::vector<SimRunResult>& results, const std::string& out) {
  std::string summary = SummaryTable(results);
  if (HasTuningSplit(results)) {
    summary = absl::StrCat("Tuning split (choose settings here):\n",
                           SummaryTable(results, EvalSplit::kTuning), "\nTest split:\n", summary);
  }
  std::cout << "\n" << summary;
  std::ofstream(out + "/summary.txt") << summary;
  if (const std::string script = absl::GetFlag(FLAGS_plot_script); !script.empty()) {
    const std::string command = absl::StrCat("/usr/bin/python3 '", script, "' '", out,
                                             "/results.json' '", out, "/curves.png'");
    if (std::system(command.c_str()) != 0) {
      std::cerr << "plotting failed: " << command << "\n";
      return 1;
    }
  }
  return 0;
}

int Merge(const std::vector<std::string>& inputs, const std::string& out) {
  std::vector<std::vector<SimRunResult>> parts;
  for (std::string path : inputs) {
    if (std::filesystem::is_directory(path)) path += "/results.json";
    absl::StatusOr<std::vector<SimRunResult>> part = ReadResultsJson(path);
    if (!part.ok()) {
      std::cerr << part.status() << "\n";
      return 2;
    }
    parts.push_back(std::move(*part));
  }
  absl::StatusOr<std::vector<SimRunResult>> merged = MergeRuns(parts);
  if (!merged.ok()) {
    std::cerr << merged.status() << "\n";
    return 2;
  }
  std::filesystem::create_directories(out);
  if (absl::Status status = WriteResultsJson(*merged, out + "/results.json"); !status.ok()) {
    std::cerr << status << "\n";
    return 1;
  }
  std::cout << "merged " << merged->size() << " runs from " << inputs.size() << " files into "
            << out << "/results.json" << std::endl;
  return Report(*merged, out);
}

// The run of `name` and `seed` in a results file to go on with, checked against the flags that
// shape a curve: another --initial or --step would splice two experiments into one.
absl::StatusOr<SimRunResult*> RunToResume(std::vector<SimRunResult>& results,
                                          const std::string& name, int seed,
                                          const SimRunOptions& flags) {
  for (SimRunResult& run : results) {
    if (run.strategy != name || run.seed != seed) continue;
    if (run.rounds.empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat(name, " seed ", seed, " has no rounds to go on from"));
    }
    const int64_t step = run.rounds.size() > 1 ? run.rounds[1].images - run.rounds[0].images : 0;
    if (run.rounds[0].images != flags.initial || (step != 0 && step != flags.step)) {
      return absl::FailedPreconditionError(absl::StrCat(
          name, " seed ", seed, " was run with --initial=", run.rounds[0].images,
          step != 0 ? absl::StrCat(" --step=", step) : "", "; give the same flags to resume it"));
    }
    return &run;
  }
  return absl::NotFoundError(absl::StrCat("no run of ", name, " seed ", seed,
                                          " in the results file to resume; run it without "
                                          "--resume (and --merge the two)"));
}

int Run() {
  const std::string out = absl::GetFlag(FLAGS_out);
  if (out.empty()) {
    std::cerr << "--out is required\n";
    return 2;
  }
  if (const std::string merge = absl::GetFlag(FLAGS_merge); !merge.empty()) {
    return Merge(absl::StrSplit(merge, ',', absl::SkipEmpty()), out);
  }
  if (absl::GetFlag(FLAGS_summarize)) {
    absl::StatusOr<std::vector<SimRunResult>> results = ReadResultsJson(out + "/results.json");
    if (!results.ok()) {
      std::cerr << results.status() << "\n";
      return 2;
    }
    return Report(*results, out);
  }
  absl::StatusOr<SimDataset> pool =
      LoadSplit({absl::GetFlag(FLAGS_train_coco), absl::GetFlag(FLAGS_train_images),
                 absl::GetFlag(FLAGS_train_voc), absl::GetFlag(FLAGS_voc_train_set),
                 absl::GetFlag(FLAGS_train_yolo)},
                "train");
  absl::StatusOr<SimDataset> test =
      LoadSplit({absl::GetFlag(FLAGS_test_coco), absl::GetFlag(FLAGS_test_images),
                 absl::GetFlag(FLAGS_test_voc), absl::GetFlag(FLAGS_voc_test_set),
                 absl::GetFlag(FLAGS_test_yolo)},
                "test");
  if (!pool.ok() || !test.ok()) {
    std::cerr << (pool.ok() ? test.status() : pool.status()) << "\n";
    return 2;
  }
  std::optional<SimDataset> tune;
  const SplitFlags tune_flags = {absl::GetFlag(FLAGS_tune_coco), absl::GetFlag(FLAGS_tune_images),
                                 absl::GetFlag(FLAGS_tune_voc), absl::GetFlag(FLAGS_voc_tune_set),
                                 absl::GetFlag(FLAGS_tune_yolo)};
  if (!tune_flags.coco.empty() || !tune_flags.voc.empty() || !tune_flags.yolo.empty()) {
    absl::StatusOr<SimDataset> loaded = LoadSplit(tune_flags, "tune");
    if (!loaded.ok()) {
      std::cerr << loaded.status() << "\n";
      return 2;
    }
    tune = std::move(*loaded);
  }
  SimRunOptions base;
  base.initial = absl::GetFlag(FLAGS_initial);
  base.step = absl::GetFlag(FLAGS_step);
  base.rounds = absl::GetFlag(FLAGS_rounds);
  base.labelloopd = absl::GetFlag(FLAGS_labelloopd);
  base.eval_score_threshold = absl::GetFlag(FLAGS_eval_score_threshold);
  const int first_seed = absl::GetFlag(FLAGS_first_seed);
  const int seeds = absl::GetFlag(FLAGS_seeds);
  if (base.initial < 1 || base.step < 1 || base.rounds < 1 || seeds < 1 || first_seed < 1) {
    std::cerr << "--initial, --step, --rounds, --seeds and --first-seed must be at least 1\n";
    return 2;
  }
  if (static_cast<size_t>(base.initial) > pool->images.size()) {
    std::cerr << "--initial is larger than the pool (" << pool->images.size() << " images)\n";
    return 2;
  }
  if (const std::string path = absl::GetFlag(FLAGS_config); !path.empty()) {
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    if (!file || !google::protobuf::TextFormat::ParseFromString(text.str(), &base.config)) {
      std::cerr << "cannot read the config " << path << "\n";
      return 2;
    }
  }
  std::vector<std::string> strategies =
      absl::StrSplit(absl::GetFlag(FLAGS_strategies), ',', absl::SkipEmpty());
  std::filesystem::create_directories(out);
  std::cout << "pool: " << pool->images.size() << " images; test: " << test->images.size()
            << " images; ";
  if (tune.has_value()) std::cout << "tuning split: " << tune->images.size() << " images; ";
  std::cout << "classes: " << pool->class_names.size() << std::endl;

  std::vector<SimRunResult> results;
  const bool resume = absl::GetFlag(FLAGS_resume);
  if (resume) {
    absl::StatusOr<std::vector<SimRunResult>> done = ReadResultsJson(out + "/results.json");
    if (!done.ok()) {
      std::cerr << "--resume: " << done.status() << "\n";
      return 2;
    }
    results = std::move(*done);
  }
  // Seeds outermost: a run cut short still has every strategy on the seeds it finished.
  const std::string variant = absl::GetFlag(FLAGS_variant);
  for (int seed = first_seed; seed < first_seed + seeds; ++seed) {
    for (const std::string& strategy : strategies) {
      const std::string name = variant.empty() ? strategy : absl::StrCat(strategy, "_", variant);
      SimRunOptions options = base;
      options.strategy = strategy;
      options.name = name;
      options.seed = seed;
      options.work_dir = absl::StrCat(out, "/work/", name, "-seed", seed);
      SimRunResult* resumed = nullptr;
      if (resume) {
        absl::StatusOr<SimRunResult*> found = RunToResume(results, name, seed, base);
        if (!found.ok()) {
          std::cerr << "--resume: " << found.status().message() << "\n";
          return 2;
        }
        resumed = *found;
        if (static_cast<int>(resumed->rounds.size()) >= base.rounds) {
          std::cout << name << " seed " << seed << ": has " << resumed->rounds.size()
                    << " rounds already" << std::endl;
          continue;
        }
        options.done = resumed->rounds;
        std::cout << name << " seed " << seed << ": resuming after " << options.done.size()
                  << " rounds (" << options.done.back().images << " images)" << std::endl;
      } else {
        std::filesystem::remove_all(options.work_dir);
        std::cout << name << " seed " << seed << std::endl;
      }
      absl::StatusOr<std::vector<SimRound>> rounds =
          RunSimulation(options, *pool, *test, tune.has_value() ? &*tune : nullptr);
      if (!rounds.ok()) {
        std::cerr << name << " seed " << seed << " failed: " << rounds.status() << "\n";
        return 1;
      }
      if (resumed != nullptr) {
        resumed->rounds = *rounds;
      } else {
        results.push_back({name, seed, *rounds});
      }
      // Written after every run, so a long benchmark that is stopped keeps what it measured.
      if (absl::Status status = WriteResultsJson(results, out + "/results.json"); !status.ok()) {
        std::cerr << status << "\n";
        return 1;
      }
    }
  }
  return Report(results, out);
}

}  // namespace
}  // namespace labelloop

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "labelloop-al-sim --train-coco=ANN.json --train-images=DIR --test-coco=ANN.json "
      "--test-images=DIR [--strategies=random,entropy,hybrid --seeds=3 --initial=N --step=N "
      "--rounds=R --config=FILE --tune-coco=ANN.json --tune-images=DIR] --out=DIR   (or "
      "--train-voc=DIR --test-voc=DIR [--tune-voc=DIR], or --train-yolo=DIR --test-yolo=DIR "
      "[--tune-yolo=DIR])");
  // The documented spelling is --train-coco; absl names flags with underscores.
  std::vector<std::string> args(argv, argv + argc);
  std::vector<char*> argv_fixed;
  for (std::string& arg : args) {
    if (arg.rfind("--", 0) == 0) {
      const size_t end = std::min(arg.find('='), arg.size());
      std::replace(arg.begin() + 2, arg.begin() + static_cast<std::ptrdiff_t>(end), '-', '_');
    }
    argv_fixed.push_back(arg.data());
  }
  absl::ParseCommandLine(static_cast<int>(argv_fixed.size()), argv_fixed.data());
  return labelloop::Run();
}
