#include "sampler/uncertainty.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace labelloop {
namespace {

constexpr double kProbEpsilon = 1e-6;

double Clamp01(double x) { return std::min(1.0, std::max(0.0, x)); }

}  // namespace

absl::StatusOr<UncertaintyMeasure> ParseUncertaintyMeasure(absl::string_view name) {
  if (name == "least_confidence") return UncertaintyMeasure::kLeastConfidence;
  if (name == "entropy") return UncertaintyMeasure::kEntropy;
  if (name == "margin") return UncertaintyMeasure::kMargin;
  return absl::InvalidArgumentError(absl::StrCat(
      "uncertainty measure must be one of least_confidence, entropy, margin; got \"", name, "\""));
}

absl::StatusOr<ScoreAggregation> ParseScoreAggregation(absl::string_view name) {
  if (name == "max") return ScoreAggregation::kMax;
  if (name == "mean") return ScoreAggregation::kMean;
  if (name == "sum") return ScoreAggregation::kSum;
  if (name == "topk") return ScoreAggregation::kTopKMean;
  return absl::InvalidArgumentError(
      absl::StrCat("aggregation must be one of max, mean, sum, topk; got \"", name, "\""));
}

absl::string_view UncertaintyMeasureName(UncertaintyMeasure measure) {
  switch (measure) {
    case UncertaintyMeasure::kLeastConfidence:
      return "least_confidence";
    case UncertaintyMeasure::kEntropy:
      return "entropy";
    case UncertaintyMeasure::kMargin:
      return "margin";
  }
  return "unknown";
}

absl::string_view ScoreAggregationName(ScoreAggregation aggregation) {
  switch (aggregation) {
    case ScoreAggregation::kMax:
      return "max";
    case ScoreAggregation::kMean:
      return "mean";
    case ScoreAggregation::kSum:
      return "sum";
    case ScoreAggregation::kTopKMean:
      return "topk";
  }
  return "unknown";
}

std::vector<double> ExclusiveClassDistribution(absl::Span<const float> class_probs) {
  // softmax(logit_1..logit_K, 0), shifted by the largest logit so exp never overflows.
  std::vector<double> logits;
  logits.reserve(class_probs.size() + 1);
  for (float p : class_probs) {
    const double clamped = std::min(1.0 - kProbEpsilon, std::max(kProbEpsilon, double{p}));
    logits.push_back(std::log(clamped / (1.0 - clamped)));
  }
  logits.push_back(0.0);  // background
  const double top = *std::max_element(logits.begin(), logits.end());
  double total = 0;
  for (double& l : logits) {
    l = std::exp(l - top);
    total += l;
  }
  for (double& l : logits) l /= total;
  return logits;
}

double LeastConfidence(absl::Span<const double> q) {
  if (q.size() < 2) return 0.0;
  const double top = *std::max_element(q.begin(), q.end());
  const double outcomes = static_cast<double>(q.size());
  return Clamp01((1.0 - top) * outcomes / (outcomes - 1.0));
}

double NormalizedEntropy(absl::Span<const double> q) {
  if (q.size() < 2) return 0.0;
  double entropy = 0;
  for (double p : q) {
    if (p > 0) entropy -= p * std::log(p);
  }
  return Clamp01(entropy / std::log(static_cast<double>(q.size())));
}

double Margin(absl::Span<const double> q) {
  if (q.size() < 2) return 0.0;
  std::vector<double> sorted(q.begin(), q.end());
  std::partial_sort(sorted.begin(), sorted.begin() + 2, sorted.end(), std::greater<double>());
  return Clamp01(1.0 - (sorted[0] - sorted[1]));
}

double UncertaintyParts::Get(UncertaintyMeasure measure) const {
  switch (measure) {
    case UncertaintyMeasure::kLeastConfidence:
      return least_confidence;
    case UncertaintyMeasure::kEntropy:
      return entropy;
    case UncertaintyMeasure::kMargin:
      return margin;
  }
  return 0.0;
}

UncertaintyParts ScoreDetection(const ScoredDetection& detection) {
  const std::vector<float> score_only = {detection.score};
  const std::vector<double> q = ExclusiveClassDistribution(
      detection.class_probs.empty() ? absl::MakeConstSpan(score_only)
                                    : absl::MakeConstSpan(detection.class_probs));
  return UncertaintyParts{LeastConfidence(q), NormalizedEntropy(q), Margin(q)};
}

double AggregateScores(absl::Span<const double> scores, ScoreAggregation aggregation, int topk) {
  if (scores.empty()) return 0.0;
  switch (aggregation) {
    case ScoreAggregation::kMax:
      return *std::max_element(scores.begin(), scores.end());
    case ScoreAggregation::kMean:
      return std::accumulate(scores.begin(), scores.end(), 0.0) /
             static_cast<double>(scores.size());
    case ScoreAggregation::kSum:
      return 1.0 - std::exp(-std::accumulate(scores.begin(), scores.end(), 0.0));
    case ScoreAggregation::kTopKMean: {
      const size_t k = std::min(scores.size(), static_cast<size_t>(std::max(1, topk)));
      std::vector<double> sorted(scores.begin(), scores.end());
      std::partial_sort(sorted.begin(), sorted.begin() + k, sorted.end(), std::greater<double>());
      return std::accumulate(sorted.begin(), sorted.begin() + k, 0.0) / static_cast<double>(k);
    }
  }
  return 0.0;
}

ImageUncertainty ScoreImageUncertainty(absl::Span<const ScoredDetection> detections,
                                       const ImageUncertaintyOptions& options) {
  std::vector<double> least_confidence, entropy, margin;
  for (const ScoredDetection& detection : detections) {
    if (detection.score < options.min_detection_score) continue;
    const UncertaintyParts parts = ScoreDetection(detection);
    least_confidence.push_back(parts.least_confidence);
    entropy.push_back(parts.entropy);
    margin.push_back(parts.margin);
  }
  ImageUncertainty result;
  result.detections_used = static_cast<int>(entropy.size());
  if (entropy.empty()) {
    const double value = Clamp01(options.empty_image_uncertainty);
    result.parts = UncertaintyParts{value, value, value};
    result.empty = true;
  } else {
    result.parts.least_confidence =
        AggregateScores(least_confidence, options.aggregation, options.topk);
    result.parts.entropy = AggregateScores(entropy, options.aggregation, options.topk);
    result.parts.margin = AggregateScores(margin, options.aggregation, options.topk);
  }
  result.score = result.parts.Get(options.measure);
  return result;
}

}  // namespace labelloop
