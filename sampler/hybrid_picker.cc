#include "sampler/hybrid_picker.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "labelloop/v1/model.pb.h"
#include "sampler/batch_selection.h"
#include "sampler/expected_boxes.h"
#include "spdlog/spdlog.h"

namespace labelloop {
namespace {

// The labeled images whose embeddings seed k-center: the most recently scored ones. A bounded
// sample keeps each pick fast; recent labels are the ones the candidates most likely resemble.
constexpr int kLabeledCenters = 256;

Embedding ToEmbedding(const std::string& blob) {
  Embedding e(blob.size() / sizeof(float));
  std::memcpy(e.data(), blob.data(), e.size() * sizeof(float));
  return e;
}

std::vector<int64_t> ParseClasses(const std::string& text) {
  std::vector<int64_t> classes;
  for (absl::string_view part : absl::StrSplit(text, ',', absl::SkipEmpty())) {
    int64_t c = 0;
    if (absl::SimpleAtoi(part, &c)) classes.push_back(c);
  }
  return classes;
}

// Labeled boxes per detector class, for the rare-class boost, and the detector class of each
// class name. Detector class k (1-based) is the k-th live class by id, the order training
// datasets number them in (training_dataset.cc); after a class change it is approximate until
// the next model. Counts come from ListClasses (boxes of every stored label version) and are read
// at most every kRefresh: a rarity does not need every last label, and counting all boxes per
// batch would cost a scan of them on a large project.
struct ClassTable {
  std::map<int64_t, int64_t> counts;
  absl::flat_hash_map<std::string, int64_t> detector_class;
};

class LabeledClassCounts {
 public:
  explicit LabeledClassCounts(Store* store) : store_(store) {}

  ClassTable Get() {
    std::lock_guard<std::mutex> lock(mu_);
    const auto now = std::chrono::steady_clock::now();
    if (!loaded_ || now - loaded_at_ >= kRefresh) {
      absl::StatusOr<std::vector<v1::ClassInfo>> classes = store_->ListClasses();
      if (classes.ok()) {
        table_ = ClassTable();
        for (size_t k = 0; k < classes->size(); ++k) {
          table_.counts[static_cast<int64_t>(k) + 1] = (*classes)[k].box_count();
          table_.detector_class[(*classes)[k].name()] = static_cast<int64_t>(k) + 1;
        }
        loaded_ = true;
        loaded_at_ = now;
      } else {
        spdlog::warn("hybrid picker: no class counts for the rare-class boost: {}",
                     classes.status().ToString());
      }
    }
    return table_;
  }

 private:
  static constexpr std::chrono::seconds kRefresh{10};
  Store* const store_;
  std::mutex mu_;
  bool loaded_ = false;
  std::chrono::steady_clock::time_point loaded_at_;
  ClassTable table_;
};

// The predicted classes of a scored image with their top pre-label scores, from its stored
// pre-labels; false when there are none to read (then the plain class list stands, at
// confidence 1).
bool ReadClassScores(const v1::PredictResponse& predictions, const ClassTable& table,
                     std::vector<int64_t>* classes, std::vector<double>* scores) {
  if (predictions.detections().empty()) return false;
  std::map<int64_t, double> top;
  for (const v1::Box& box : predictions.detections()) {
    auto it = table.detector_class.find(box.class_name());
    if (it == table.detector_class.end() || !(box.score() > 0.0f && box.score() <= 1.0f)) continue;
    double& best = top[it->second];
    best = std::max(best, static_cast<double>(box.score()));
  }
  if (top.empty()) return false;
  classes->clear();
  scores->clear();
  for (const auto& [label, score] : top) {
    classes->push_back(label);
    scores->push_back(score);
  }
  return true;
}

// The boxes an annotator is expected to draw, from the stored pre-labels (0 for none).
double ReadExpectedBoxes(const v1::PredictResponse& predictions) {
  std::vector<ScoredDetection> pre_labels;
  for (const v1::Box& box : predictions.detections()) {
    ScoredDetection d;
    d.box = {box.x1(), box.y1(), box.x2(), box.y2()};
    d.score = box.score();
    pre_labels.push_back(d);
  }
  return ExpectedBoxCount(pre_labels);
}

}  // namespace

BatchPicker MakeHybridPicker(Store* store, SamplerOptions options, uint64_t seed) {
  auto requests = std::make_shared<std::atomic<uint64_t>>(0);
  auto class_counts = std::make_shared<LabeledClassCounts>(store);
  return [store, options, seed, requests, class_counts](
             const std::vector<BatchCandidate>& candidates, int count) -> std::vector<BatchPick> {
    std::vector<BatchPick> picks;
    if (std::none_of(candidates.begin(), candidates.end(),
                     [](const BatchCandidate& c) { return c.has_embedding; })) {
      // Nothing to measure diversity with (not scored by a model with embeddings yet): rank
      // order, without reading the candidates' rows.
      for (int i = 0; i < count && i < static_cast<int>(candidates.size()); ++i) {
        picks.push_back({i, 0.0, "hybrid:uncertainty"});
      }
      return picks;
    }
    PoolScores pool;
    pool.uncertainty.resize(candidates.size());
    pool.embeddings.resize(candidates.size());
    pool.predicted_classes.resize(candidates.size());
    pool.predicted_class_scores.resize(candidates.size());
    const bool boost = options.selection.rare_class_boost > 0;
    const bool box_cost = options.selection.box_cost > 0;
    std::vector<bool> box_count_known(candidates.size(), false);
    if (box_cost) pool.expected_boxes.resize(candidates.size());
    absl::flat_hash_map<int64_t, size_t> index;
    for (size_t i = 0; i < candidates.size(); ++i) {
      pool.uncertainty[i] = candidates[i].uncertainty;
      index[candidates[i].image_id] = i;
    }
    LabeledSet labeled;
    ClassTable classes;
    if (boost) {
      classes = class_counts->Get();
      labeled.class_counts = classes.counts;
    }
    std::vector<std::string> ids;
    for (const BatchCandidate& c : candidates) ids.push_back(absl::StrCat(c.image_id));
    absl::Status status = store->Read([&](SqliteDb* db) -> absl::Status {
      // The pre-labels only when the boost or the box cost reads them: a blob per candidate
      // that nothing else needs, on every GetNextBatch.
      const bool read_predictions = boost || box_cost;
      absl::StatusOr<SqliteStatement> query = db->Prepare(
          absl::StrCat("SELECT image_id, embedding, predicted_classes, ",
                       read_predictions ? "predictions" : "NULL",
                       " FROM image_scores WHERE image_id IN (", absl::StrJoin(ids, ","), ")"));
      if (!query.ok()) return query.status();
      while (true) {
        absl::StatusOr<bool> row = query->Step();
        if (!row.ok()) return row.status();
        if (!*row) break;
        size_t i = index[query->ColumnInt(0)];
        if (!query->ColumnIsNull(1)) pool.embeddings[i] = ToEmbedding(query->ColumnBlob(1));
        v1::PredictResponse predictions;
        if (read_predictions && !predictions.ParseFromString(query->ColumnBlob(3))) {
          predictions.Clear();  // unreadable: as if it had no pre-labels
        }
        if (!boost || !ReadClassScores(predictions, classes, &pool.predicted_classes[i],
                                       &pool.predicted_class_scores[i])) {
          pool.predicted_classes[i] = ParseClasses(query->ColumnText(2));
        }
        if (box_cost) {
          pool.expected_boxes[i] = ReadExpectedBoxes(predictions);
          box_count_known[i] = true;
        }
      }
      bool any_embedding = false;
      for (const Embedding& e : pool.embeddings) any_embedding |= !e.empty();
      if (!any_embedding) return absl::OkStatus();  // Nothing to measure diversity with.
      // Newest labels first, walking the labels table by its rowid: cost proportional to the
      // centers wanted, not to every labeled image.
      absl::StatusOr<SqliteStatement> centers = db->Prepare(absl::StrCat(
          "SELECT s.embedding FROM labels l JOIN image_scores s ON s.image_id = l.image_id"
          " WHERE s.embedding IS NOT NULL ORDER BY l.id DESC LIMIT ",
          kLabeledCenters));
      if (!centers.ok()) return centers.status();
      while (true) {
        absl::StatusOr<bool> row = centers->Step();
        if (!row.ok()) return row.status();
        if (!*row) break;
        labeled.embeddings.push_back(ToEmbedding(centers->ColumnBlob(0)));
      }
      return absl::OkStatus();
    });
    if (!status.ok()) spdlog::warn("hybrid picker: {}", status.ToString());
    if (box_cost) {
      // A candidate not scored yet costs what a scored one does on average, neither a bargain
      // (0 boxes) nor a penalty.
      double sum = 0;
      int known = 0;
      for (size_t i = 0; i < candidates.size(); ++i) {
        if (!box_count_known[i]) continue;
        sum += pool.expected_boxes[i];
        ++known;
      }
      for (size_t i = 0; i < candidates.size(); ++i) {
        if (!box_count_known[i]) pool.expected_boxes[i] = known > 0 ? sum / known : 0.0;
      }
    }
    // Candidates without an embedding (not scored yet) get the pool's dimension of zeros, so
    // k-center treats them as one point instead of failing.
    size_t dim = 0;
    for (const Embedding& e : pool.embeddings) dim = std::max(dim, e.size());
    if (dim == 0) {
      // Not scored by a model yet (or scored without embeddings): rank order.
      for (int i = 0; i < count && i < static_cast<int>(candidates.size()); ++i) {
        picks.push_back({i, 0.0, "hybrid:uncertainty"});
      }
      return picks;
    }
    for (Embedding& e : pool.embeddings) {
      if (e.size() != dim) e.assign(dim, 0.0f);
    }
    labeled.embeddings.erase(std::remove_if(labeled.embeddings.begin(), labeled.embeddings.end(),
                                            [&](const Embedding& e) { return e.size() != dim; }),
                             labeled.embeddings.end());
    absl::StatusOr<BatchSelection> selection =
        SelectBatch(pool, labeled, count, options.selection, seed + (*requests)++);
    if (!selection.ok()) {
      spdlog::warn("hybrid selection failed ({}); falling back to rank order",
                   selection.status().ToString());
      for (int i = 0; i < count && i < static_cast<int>(candidates.size()); ++i) {
        picks.push_back({i, 0.0, "hybrid"});
      }
      return picks;
    }
    for (const SelectedImage& item : selection->items) {
      const char* why = item.reason == PickReason::kRandom      ? "hybrid:random"
                        : item.reason == PickReason::kDiversity ? "hybrid:diversity"
                                                                : "hybrid:uncertainty";
      picks.push_back({item.index, item.diversity, why});
    }
    return picks;
  };
}

}  // namespace labelloop
