#include "sampler/batch_selection.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "sampler/random_order.h"

namespace labelloop {
namespace {

double NormalizedDiversity(double distance, double scale) {
  if (std::isinf(distance)) return 1.0;
  if (scale <= 0) return 0.0;
  return std::min(1.0, distance / scale);
}

// Labeled boxes per class (real-valued: a batch's picks add their pre-label confidences) and the
// rarity of an image's predicted classes among them (see BatchSelectionOptions).
class ClassCounts {
 public:
  explicit ClassCounts(const std::map<int64_t, int64_t>& labeled) {
    for (const auto& [label, count] : labeled) Add(label, static_cast<double>(count));
  }

  void Add(int64_t label, double count) {
    double& n = counts_[label];
    n += count;
    most_ = std::max(most_, n);
  }

  // Adds the predicted classes of pool image `index`, each by its confidence.
  void AddImage(const PoolScores& pool, int index) {
    const std::vector<int64_t>& classes = pool.predicted_classes[index];
    for (size_t k = 0; k < classes.size(); ++k) Add(classes[k], Confidence(pool, index, k));
  }

  double Rarity(const PoolScores& pool, int index) const {
    if (most_ <= 0) return 0.0;
    const std::vector<int64_t>& classes = pool.predicted_classes[index];
    double rarity = 0;
    for (size_t k = 0; k < classes.size(); ++k) {
      auto it = counts_.find(classes[k]);
      const double n = it == counts_.end() ? 0.0 : it->second;
      rarity = std::max(rarity, Confidence(pool, index, k) * (1.0 - n / most_));
    }
    return rarity;
  }

 private:
  static double Confidence(const PoolScores& pool, int index, size_t k) {
    if (pool.predicted_class_scores.empty()) return 1.0;
    const std::vector<double>& scores = pool.predicted_class_scores[index];
    return k < scores.size() ? scores[k] : 1.0;
  }

  std::map<int64_t, double> counts_;
  double most_ = 0;
};

// The `count` indices with the highest key (ties: lower index first), best first.
std::vector<int> TopByKey(const std::vector<double>& key, size_t count) {
  std::vector<int> order(key.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
  count = std::min(count, order.size());
  auto better = [&](int a, int b) { return key[a] != key[b] ? key[a] > key[b] : a < b; };
  std::partial_sort(order.begin(), order.begin() + count, order.end(), better);
  order.resize(count);
  return order;
}

// `count` indices drawn uniformly without replacement from those not `excluded`: the smallest
// RandomOrderKey(seed, index), the same stateless hash the queue's random order uses.
std::vector<int> RandomPicks(size_t pool_size, const std::vector<bool>& excluded, size_t count,
                             uint64_t seed) {
  std::vector<std::pair<uint64_t, int>> keyed;
  for (size_t i = 0; i < pool_size; ++i) {
    if (!excluded[i]) keyed.emplace_back(RandomOrderKey(seed, static_cast<int64_t>(i)), i);
  }
  count = std::min(count, keyed.size());
  std::partial_sort(keyed.begin(), keyed.begin() + count, keyed.end());
  std::vector<int> picks;
  for (size_t i = 0; i < count; ++i) picks.push_back(keyed[i].second);
  return picks;
}

// Distance from `point` to the nearest of the labeled embeddings and `earlier` pool images.
double NearestDistance(const PoolScores& pool, const LabeledSet& labeled, int point,
                       const std::vector<int>& earlier) {
  double nearest = std::numeric_limits<double>::infinity();
  for (const Embedding& e : labeled.embeddings) {
    nearest = std::min(nearest, SquaredL2Distance(pool.embeddings[point], e));
  }
  for (int other : earlier) {
    if (pool.embeddings[other].empty()) continue;
    nearest = std::min(nearest, SquaredL2Distance(pool.embeddings[point], pool.embeddings[other]));
  }
  return std::sqrt(nearest);
}

absl::Status Validate(const PoolScores& pool, const LabeledSet& labeled, int batch_size,
                      const BatchSelectionOptions& options, size_t pool_size) {
  if (batch_size < 0) return absl::InvalidArgumentError("batch size must be >= 0");
  auto check_size = [&](size_t size, absl::string_view what) -> absl::Status {
    if (size != 0 && size != pool_size) {
      return absl::InvalidArgumentError(
          absl::StrCat("pool ", what, " has ", size, " entries, expected ", pool_size));
    }
    return absl::OkStatus();
  };
  for (const auto& [size, what] :
       {std::pair<size_t, absl::string_view>{pool.uncertainty.size(), "uncertainty"},
        {pool.embeddings.size(), "embeddings"},
        {pool.predicted_classes.size(), "predicted_classes"},
        {pool.predicted_class_scores.size(), "predicted_class_scores"},
        {pool.expected_boxes.size(), "expected_boxes"}}) {
    if (absl::Status s = check_size(size, what); !s.ok()) return s;
  }
  for (double u : pool.uncertainty) {
    if (!(u >= 0.0 && u <= 1.0)) {
      return absl::InvalidArgumentError(absl::StrCat("uncertainty ", u, " is outside [0, 1]"));
    }
  }
  if (options.strategy != SamplingStrategy::kRandom && pool_size > 0 && pool.uncertainty.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("strategy ",
                                                   SamplingStrategyName(options.strategy),
                                                   " needs an uncertainty for every pool image"));
  }
  if (options.strategy == SamplingStrategy::kHybrid && pool_size > 0 && pool.embeddings.empty()) {
    return absl::InvalidArgumentError(
        "strategy hybrid needs embeddings, at least for its candidates (HybridCandidates)");
  }
  if (!pool.embeddings.empty()) {
    size_t dim = 0;
    for (const Embedding& e : pool.embeddings) dim = std::max(dim, e.size());
    auto bad = [dim](const Embedding& e) { return e.size() != dim; };
    auto bad_in_pool = [dim](const Embedding& e) { return !e.empty() && e.size() != dim; };
    if (std::any_of(pool.embeddings.begin(), pool.embeddings.end(), bad_in_pool) ||
        std::any_of(labeled.embeddings.begin(), labeled.embeddings.end(), bad)) {
      return absl::InvalidArgumentError(absl::StrCat("every embedding must have dimension ", dim));
    }
  }
  if (!pool.predicted_class_scores.empty()) {
    if (pool.predicted_classes.empty()) {
      return absl::InvalidArgumentError("predicted_class_scores needs predicted_classes");
    }
    for (size_t i = 0; i < pool.predicted_class_scores.size(); ++i) {
      const std::vector<double>& scores = pool.predicted_class_scores[i];
      if (!scores.empty() && scores.size() != pool.predicted_classes[i].size()) {
        return absl::InvalidArgumentError(
            absl::StrCat("pool image ", i, " has ", scores.size(), " predicted class scores for ",
                         pool.predicted_classes[i].size(), " predicted classes"));
      }
      for (double score : scores) {
        if (!(score > 0.0 && score <= 1.0)) {
          return absl::InvalidArgumentError(
              absl::StrCat("predicted class score ", score, " is outside (0, 1]"));
        }
      }
    }
  }
  for (double boxes : pool.expected_boxes) {
    if (!(boxes >= 0.0 && std::isfinite(boxes))) {
      return absl::InvalidArgumentError(
          absl::StrCat("expected box count ", boxes, " is not a finite number >= 0"));
    }
  }
  if (!(options.box_cost >= 0.0 && std::isfinite(options.box_cost))) {
    return absl::InvalidArgumentError("box_cost must be a finite number >= 0");
  }
  if (options.candidate_factor < 1) {
    return absl::InvalidArgumentError("candidate_factor must be >= 1");
  }
  if (!(options.random_share >= 0.0 && options.random_share <= 1.0)) {
    return absl::InvalidArgumentError("random_share must be in [0, 1]");
  }
  return absl::OkStatus();
}

size_t HybridRandomCount(size_t batch, const BatchSelectionOptions& options) {
  return std::min(batch, static_cast<size_t>(std::lround(options.random_share * batch)));
}

bool BoostOn(const PoolScores& pool, const BatchSelectionOptions& options) {
  return options.rare_class_boost > 0 && !pool.predicted_classes.empty();
}

bool BoxCostOn(const PoolScores& pool, const BatchSelectionOptions& options) {
  return options.box_cost > 0 && !pool.expected_boxes.empty();
}

// 1 / (1 + expected boxes)^box_cost of pool image `index` (1 with the box cost off).
double BoxCostFactor(const PoolScores& pool, int index, const BatchSelectionOptions& options) {
  if (!BoxCostOn(pool, options)) return 1.0;
  return std::pow(1.0 + pool.expected_boxes[index], -options.box_cost);
}

// The top candidate_factor x diverse_count images by
// uncertainty x (1 + boost x rarity) / (1 + expected boxes)^box_cost.
std::vector<int> Candidates(const PoolScores& pool, const LabeledSet& labeled, size_t diverse_count,
                            const BatchSelectionOptions& options) {
  std::vector<double> key = pool.uncertainty;
  const ClassCounts counts(labeled.class_counts);
  for (size_t i = 0; i < key.size(); ++i) {
    const int index = static_cast<int>(i);
    if (BoostOn(pool, options)) {
      key[i] *= 1.0 + options.rare_class_boost * counts.Rarity(pool, index);
    }
    key[i] *= BoxCostFactor(pool, index, options);
  }
  return TopByKey(key, diverse_count * static_cast<size_t>(std::max(1, options.candidate_factor)));
}

}  // namespace

std::vector<int> HybridCandidates(const PoolScores& pool, const LabeledSet& labeled, int batch_size,
                                  const BatchSelectionOptions& options) {
  const size_t batch =
      std::min(pool.uncertainty.size(), static_cast<size_t>(std::max(0, batch_size)));
  return Candidates(pool, labeled, batch - HybridRandomCount(batch, options), options);
}

absl::StatusOr<SamplingStrategy> ParseSamplingStrategy(absl::string_view name) {
  for (SamplingStrategy s :
       {SamplingStrategy::kRandom, SamplingStrategy::kLeastConfidence, SamplingStrategy::kEntropy,
        SamplingStrategy::kMargin, SamplingStrategy::kTta, SamplingStrategy::kHybrid}) {
    if (name == SamplingStrategyName(s)) return s;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("sampling strategy must be one of random, least_confidence, entropy, margin, "
                   "tta, hybrid; got \"",
                   name, "\""));
}

absl::string_view SamplingStrategyName(SamplingStrategy strategy) {
  switch (strategy) {
    case SamplingStrategy::kRandom:
      return "random";
    case SamplingStrategy::kLeastConfidence:
      return "least_confidence";
    case SamplingStrategy::kEntropy:
      return "entropy";
    case SamplingStrategy::kMargin:
      return "margin";
    case SamplingStrategy::kTta:
      return "tta";
    case SamplingStrategy::kHybrid:
      return "hybrid";
  }
  return "unknown";
}

absl::StatusOr<BatchSelection> SelectBatch(const PoolScores& pool, const LabeledSet& labeled,
                                           int batch_size, const BatchSelectionOptions& options,
                                           uint64_t seed) {
  const size_t pool_size = std::max({pool.uncertainty.size(), pool.embeddings.size(),
                                     pool.predicted_classes.size(), pool.expected_boxes.size()});
  if (absl::Status s = Validate(pool, labeled, batch_size, options, pool_size); !s.ok()) return s;

  const size_t batch = std::min(pool_size, static_cast<size_t>(batch_size));
  const bool has_embeddings = !pool.embeddings.empty();
  const ClassCounts labeled_counts(labeled.class_counts);
  auto make_item = [&](int index, PickReason reason) {
    SelectedImage item;
    item.index = index;
    item.reason = reason;
    if (!pool.uncertainty.empty()) item.uncertainty = pool.uncertainty[index];
    if (!pool.predicted_classes.empty()) item.rarity = labeled_counts.Rarity(pool, index);
    return item;
  };
  // Diversity of items picked one after another, each against the labeled set and those before.
  auto sequential_diversity = [&](std::vector<SelectedImage>& items, std::vector<int> earlier) {
    if (!has_embeddings) return;
    for (SelectedImage& item : items) {
      if (pool.embeddings[item.index].empty()) continue;  // unknown: reported as 0
      item.diversity = NormalizedDiversity(NearestDistance(pool, labeled, item.index, earlier),
                                           options.diversity_scale);
      earlier.push_back(item.index);
    }
  };

  BatchSelection selection;
  selection.strategy = options.strategy;
  if (options.strategy == SamplingStrategy::kRandom) {
    for (int index : RandomPicks(pool_size, std::vector<bool>(pool_size), batch, seed)) {
      selection.items.push_back(make_item(index, PickReason::kRandom));
    }
    sequential_diversity(selection.items, {});
    return selection;
  }
  if (options.strategy != SamplingStrategy::kHybrid) {
    for (int index : TopByKey(pool.uncertainty, batch)) {
      selection.items.push_back(make_item(index, PickReason::kUncertainty));
    }
    sequential_diversity(selection.items, {});
    return selection;
  }

  // Hybrid.
  const size_t random_count = HybridRandomCount(batch, options);
  const size_t diverse_count = batch - random_count;
  const std::vector<int> candidates = Candidates(pool, labeled, diverse_count, options);
  std::vector<Embedding> candidate_embeddings;
  for (int index : candidates) {
    if (pool.embeddings[index].empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("hybrid candidate ", index, " has no embedding"));
    }
    candidate_embeddings.push_back(pool.embeddings[index]);
  }
  // With nothing labeled yet the first pick is the most uncertain candidate (position 0).
  KCenterResult kcenter;
  if (BoostOn(pool, options) || BoxCostOn(pool, options)) {
    // Rarity against the labels and the batch's picks so far (counted in as they come).
    ClassCounts counts(labeled.class_counts);
    size_t counted = 0;
    const bool boost = BoostOn(pool, options);
    kcenter = WeightedKCenterGreedy(
        candidate_embeddings, labeled.embeddings, static_cast<int>(diverse_count),
        /*first_pick=*/0, [&](int point, absl::Span<const int> picks) {
          const int index = candidates[point];
          double weight = BoxCostFactor(pool, index, options);
          if (boost) {
            for (; counted < picks.size(); ++counted) {
              counts.AddImage(pool, candidates[picks[counted]]);
            }
            weight *= 1.0 + options.rare_class_boost * counts.Rarity(pool, index);
          }
          return weight;
        });
  } else {
    kcenter = KCenterGreedy(candidate_embeddings, labeled.embeddings,
                            static_cast<int>(diverse_count), /*first_pick=*/0);
  }

  std::vector<SelectedImage> diverse;
  std::vector<bool> taken(pool_size, false);
  std::vector<int> taken_order;
  for (size_t p = 0; p < kcenter.picks.size(); ++p) {
    const int index = candidates[kcenter.picks[p]];
    SelectedImage item = make_item(index, PickReason::kDiversity);
    item.diversity = NormalizedDiversity(kcenter.pick_distances[p], options.diversity_scale);
    diverse.push_back(item);
    taken[index] = true;
    taken_order.push_back(index);
  }
  std::vector<SelectedImage> random;
  for (int index : RandomPicks(pool_size, taken, random_count, seed)) {
    random.push_back(make_item(index, PickReason::kRandom));
  }
  sequential_diversity(random, taken_order);

  // Random picks at evenly spaced positions floor((j + 0.5) * batch / random_count).
  std::vector<bool> random_slot(batch, false);
  for (size_t j = 0; j < random.size(); ++j) {
    random_slot[static_cast<size_t>((j + 0.5) * static_cast<double>(batch) /
                                    static_cast<double>(random.size()))] = true;
  }
  size_t next_diverse = 0, next_random = 0;
  for (size_t slot = 0; slot < batch; ++slot) {
    selection.items.push_back(random_slot[slot] ? random[next_random++] : diverse[next_diverse++]);
  }
  return selection;
}

}  // namespace labelloop
