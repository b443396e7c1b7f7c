#include "benchmarks/al_sim/sim_results.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "nlohmann/json.hpp"

namespace labelloop {

std::string ResultsJson(const std::vector<SimRunResult>& runs) {
  nlohmann::json out;
  out["runs"] = nlohmann::json::array();
  for (const SimRunResult& run : runs) {
    nlohmann::json rounds = nlohmann::json::array();
    for (const SimRound& round : run.rounds) {
      nlohmann::json r = {{"images", round.images},
                          {"boxes", round.boxes},
                          {"map", round.map},
                          {"map50", round.map50},
                          {"seconds", round.seconds}};
      if (!round.class_ap.empty()) r["class_ap"] = round.class_ap;
      if (!round.class_boxes.empty()) r["class_boxes"] = round.class_boxes;
      if (round.tune_map >= 0) {
        r["tune_map"] = round.tune_map;
        r["tune_map50"] = round.tune_map50;
      }
      rounds.push_back(std::move(r));
    }
    out["runs"].push_back({{"strategy", run.strategy}, {"seed", run.seed}, {"rounds", rounds}});
  }
  return out.dump(1);
}

absl::Status WriteResultsJson(const std::vector<SimRunResult>& runs, const std::string& path) {
  std::ofstream file(path);
  file << ResultsJson(runs) << "\n";
  file.close();
  if (!file) return absl::InternalError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

absl::StatusOr<std::vector<SimRunResult>> ReadResultsJson(const std::string& path) {
  std::ifstream file(path);
  if (!file) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  std::vector<SimRunResult> runs;
  try {
    const nlohmann::json in = nlohmann::json::parse(file);
    for (const nlohmann::json& run : in.at("runs")) {
      SimRunResult result{run.at("strategy").get<std::string>(), run.at("seed").get<int>(), {}};
      for (const nlohmann::json& round : run.at("rounds")) {
        SimRound r;
        r.images = round.at("images").get<int64_t>();
        r.boxes = round.at("boxes").get<int64_t>();
        r.map = round.at("map").get<double>();
        r.map50 = round.at("map50").get<double>();
        r.seconds = round.at("seconds").get<double>();
        // Written only by newer runs (and only with a tuning split): optional on reading.
        if (round.contains("class_ap")) r.class_ap = round["class_ap"].get<std::vector<double>>();
        if (round.contains("class_boxes")) {
          r.class_boxes = round["class_boxes"].get<std::vector<int64_t>>();
        }
        r.tune_map = round.value("tune_map", -1.0);
        r.tune_map50 = round.value("tune_map50", -1.0);
        result.rounds.push_back(r);
      }
      runs.push_back(std::move(result));
    }
  } catch (const nlohmann::json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", e.what()));
  }
  return runs;
}

absl::StatusOr<std::vector<SimRunResult>> MergeRuns(
    const std::vector<std::vector<SimRunResult>>& parts) {
  std::vector<SimRunResult> merged;
  std::set<std::pair<int, std::string>> seen;
  for (const std::vector<SimRunResult>& part : parts) {
    for (const SimRunResult& run : part) {
      if (!seen.insert({run.seed, run.strategy}).second) {
        return absl::InvalidArgumentError(absl::StrCat(
            run.strategy, " seed ", run.seed,
            " is in more than one results file; give the variants different --variant names"));
      }
      merged.push_back(run);
    }
  }
  // Seed by seed, as a single benchmark writes them; within a seed, strategies in input order.
  std::stable_sort(merged.begin(), merged.end(),
                   [](const SimRunResult& a, const SimRunResult& b) { return a.seed < b.seed; });
  return merged;
}

bool HasTuningSplit(const std::vector<SimRunResult>& runs) {
  for (const SimRunResult& run : runs) {
    for (const SimRound& round : run.rounds) {
      if (round.tune_map >= 0) return true;
    }
  }
  return false;
}

MeanCurve MeanCurveOf(const std::vector<SimRunResult>& runs, const std::string& strategy,
                      EvalSplit split) {
  std::vector<const SimRunResult*> selected;
  size_t length = SIZE_MAX;
  for (const SimRunResult& run : runs) {
    if (run.strategy != strategy) continue;
    selected.push_back(&run);
    length = std::min(length, run.rounds.size());
  }
  MeanCurve curve;
  if (selected.empty()) return curve;
  for (size_t r = 0; r < length; ++r) {
    double images = 0, boxes = 0, map = 0;
    for (const SimRunResult* run : selected) {
      images += static_cast<double>(run->rounds[r].images);
      boxes += static_cast<double>(run->rounds[r].boxes);
      map += split == EvalSplit::kTest ? run->rounds[r].map : run->rounds[r].tune_map;
    }
    const double n = static_cast<double>(selected.size());
    curve.images.push_back(images / n);
    curve.boxes.push_back(boxes / n);
    curve.map.push_back(map / n);
  }
  return curve;
}

LabelsNeeded LabelsToReach(const MeanCurve& curve, double target) {
  for (size_t r = 0; r < curve.map.size(); ++r) {
    if (curve.map[r] < target) continue;
    if (r == 0) return {true, curve.images[0], curve.boxes[0]};
    const double t = (target - curve.map[r - 1]) / (curve.map[r] - curve.map[r - 1]);
    return {true, curve.images[r - 1] + t * (curve.images[r] - curve.images[r - 1]),
            curve.boxes[r - 1] + t * (curve.boxes[r] - curve.boxes[r - 1])};
  }
  return {};
}

std::string SummaryTable(const std::vector<SimRunResult>& runs, EvalSplit split) {
  std::vector<std::string> strategies;
  for (const SimRunResult& run : runs) {
    if (std::find(strategies.begin(), strategies.end(), run.strategy) == strategies.end()) {
      strategies.push_back(run.strategy);
    }
  }
  if (split == EvalSplit::kTuning) {
    // A run without the tuning split would average its -1 into the curve.
    for (const SimRunResult& run : runs) {
      for (const SimRound& round : run.rounds) {
        if (round.tune_map < 0) {
          return absl::StrCat("run ", run.strategy, " seed ", run.seed,
                              " has no tuning-split mAP: no tuning-split comparison\n");
        }
      }
    }
  }
  const MeanCurve random = MeanCurveOf(runs, "random", split);
  if (random.map.empty()) return "no random runs: nothing to compare with\n";
  const double target = random.map.back();
  const char* split_name = split == EvalSplit::kTest ? "test" : "tuning-split";
  if (target <= 0) {
    // Every curve "reaches" zero at its first point; a table would claim savings that are not.
    return absl::StrCat("random's final mean ", split_name,
                        " mAP is 0: the models learned nothing yet, no comparison\n");
  }
  const double random_images = random.images.back();
  const double random_boxes = random.boxes.back();
  std::string out = absl::StrFormat(
      "Labels needed to reach random's final mean %s mAP %.4f (random: %.0f images, %.0f "
      "boxes);\ninterpolated on the mean curve over seeds.\n\n",
      split_name, target, random_images, random_boxes);
  // The strategy column fits the longest name (merged runs carry names like
  // "hybrid_box05_boost2"), so the table stays aligned as plain text.
  int name_width = 18;
  for (const std::string& strategy : strategies) {
    name_width = std::max(name_width, static_cast<int>(strategy.size()));
  }
  absl::StrAppendFormat(&out, "| %-*s | %10s | %9s | %13s | %12s | %12s |\n", name_width,
                        "strategy", "final mAP", "images", "images saved", "boxes", "boxes saved");
  absl::StrAppend(&out, "|", std::string(name_width + 2, '-'), "|", std::string(12, '-'), "|",
                  std::string(11, '-'), "|", std::string(15, '-'), "|", std::string(14, '-'), "|",
                  std::string(14, '-'), "|\n");
  for (const std::string& strategy : strategies) {
    const MeanCurve curve = MeanCurveOf(runs, strategy, split);
    if (curve.map.empty()) continue;
    const LabelsNeeded needed = LabelsToReach(curve, target);
    if (!needed.reached) {
      absl::StrAppendFormat(&out, "| %-*s | %10.4f | %9s | %13s | %12s | %12s |\n", name_width,
                            strategy, curve.map.back(),
                            absl::StrFormat(">%.0f", curve.images.back()), "not reached",
                            absl::StrFormat(">%.0f", curve.boxes.back()), "not reached");
      continue;
    }
    absl::StrAppendFormat(&out, "| %-*s | %10.4f | %9.1f | %12.1f%% | %12.1f | %11.1f%% |\n",
                          name_width, strategy, curve.map.back(), needed.images,
                          100.0 * (1.0 - needed.images / random_images), needed.boxes,
                          100.0 * (1.0 - needed.boxes / random_boxes));
  }
  return out;
}

}  // namespace labelloop
