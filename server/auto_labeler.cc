#include "server/auto_labeler.h"

#include <chrono>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/machine_labels.h"
#include "server/auto_label_rule.h"
#include "spdlog/spdlog.h"

namespace labelloop {
namespace {

// How often the worker looks at re-scoring progress while it waits for it.
constexpr auto kPollInterval = std::chrono::milliseconds(200);

struct Candidate {
  int64_t image_id = 0;
  v1::PredictResponse prelabels;
};

// Up to `limit` unlabeled training-split images after `after_id` that no one has labeled
// before, with the pre-labels `version` stored for them, by id. Validation images are never
// candidates: machine labels must not evaluate. Paged, so that a large pool neither sits in
// memory at once nor holds the read connection for long.
absl::StatusOr<std::vector<Candidate>> ReadCandidates(Store* store, const std::string& version,
                                                      int64_t after_id, size_t limit) {
  std::vector<Candidate> candidates;
  absl::Status status = store->Read([&](SqliteDb* db) -> absl::Status {
    absl::StatusOr<SqliteStatement> query = db->Prepare(
        "SELECT s.image_id, s.predictions FROM image_scores s JOIN images i ON i.id = s.image_id"
        " WHERE s.image_id > ? AND s.model_version = ? AND i.state = ? AND i.split = 'train'"
        " AND NOT EXISTS(SELECT 1 FROM labels l WHERE l.image_id = i.id)"
        " ORDER BY s.image_id LIMIT ?");
    if (!query.ok()) return query.status();
    query->Bind(1, after_id)
        .Bind(2, version)
        .Bind(3, static_cast<int64_t>(v1::IMAGE_STATE_UNLABELED))
        .Bind(4, static_cast<int64_t>(limit));
    while (true) {
      absl::StatusOr<bool> row = query->Step();
      if (!row.ok()) return row.status();
      if (!*row) return absl::OkStatus();
      Candidate& c = candidates.emplace_back();
      c.image_id = query->ColumnInt(0);
      c.prelabels.ParseFromString(query->ColumnBlob(1));
    }
  });
  if (!status.ok()) return status;
  return candidates;
}

// The pre-labels as boxes of the project's current classes; nullopt when one names a class that
// is gone (deleted or merged since the model trained) or is degenerate.
std::optional<std::vector<ValidBox>> ToBoxes(
    const v1::PredictResponse& prelabels,
    const absl::flat_hash_map<std::string, int64_t>& class_ids) {
  std::vector<ValidBox> boxes;
  for (const v1::Box& box : prelabels.detections()) {
    auto it = class_ids.find(box.class_name());
    if (it == class_ids.end() || !(box.x2() > box.x1()) || !(box.y2() > box.y1())) {
      return std::nullopt;
    }
    boxes.push_back({box.x1(), box.y1(), box.x2(), box.y2(), it->second});
  }
  return boxes;
}

}  // namespace

AutoLabeler::AutoLabeler(Store* store, LabelQueue* queue, ModelRegistry* registry,
                         const PoolRescorer* rescorer, AutoLabelerOptions options,
                         const Clock* clock)
    : store_(store),
      queue_(queue),
      registry_(registry),
      rescorer_(rescorer),
      options_(std::move(options)),
      clock_(clock),
      thread_([this] { Run(); }) {}

AutoLabeler::~AutoLabeler() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void AutoLabeler::OnPromotion(std::shared_ptr<const ServingModel> model) {
  std::lock_guard<std::mutex> lock(mu_);
  wanted_ = model->version();
  changed_.notify_all();
}

std::optional<v1::AutoLabeling> AutoLabeler::LastPass(const std::string& version) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = passes_.find(version);
  if (it == passes_.end()) return std::nullopt;
  return it->second;
}

bool AutoLabeler::Stopping() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stopping_;
}

bool AutoLabeler::ReadyToLabel(const std::string& version) {
  std::shared_ptr<const ServingModel> serving = registry_->Serving();
  if (serving == nullptr || serving->version() != version) {
    std::lock_guard<std::mutex> lock(mu_);
    if (wanted_ == version) wanted_.clear();
    return false;
  }
  const RescoreProgress progress = rescorer_->Progress();
  return progress.model_version == version && !progress.running;
}

void AutoLabeler::Run() {
  while (true) {
    std::string version;
    {
      std::unique_lock<std::mutex> lock(mu_);
      changed_.wait_for(lock, kPollInterval, [&] { return stopping_ || !wanted_.empty(); });
      if (stopping_) return;
      version = wanted_;
    }
    if (version.empty() || !ReadyToLabel(version)) continue;
    v1::AutoLabeling pass = Label(version);
    spdlog::info("auto-labeling with {}: {}", version, pass.note());
    std::lock_guard<std::mutex> lock(mu_);
    passes_[version] = std::move(pass);
    if (wanted_ == version) wanted_.clear();
  }
}

absl::Status AutoLabeler::Write(std::vector<MachineLabelRow> rows, PassCounts* counts) {
  if (rows.empty()) return absl::OkStatus();
  std::vector<int64_t> ids;
  for (const MachineLabelRow& row : rows) ids.push_back(row.image_id);
  std::vector<int64_t> claimed = queue_->Claim(ids);
  absl::flat_hash_set<int64_t> claimed_set(claimed.begin(), claimed.end());
  std::vector<MachineLabelRow> batch;
  for (MachineLabelRow& row : rows) {
    if (claimed_set.contains(row.image_id)) batch.push_back(std::move(row));
  }
  counts->busy += static_cast<int64_t>(ids.size() - batch.size());
  std::vector<int64_t> batch_ids;
  for (const MachineLabelRow& row : batch) batch_ids.push_back(row.image_id);
  const std::vector<bool> review = ChooseForReview(batch_ids, options_.config.review_share());
  for (size_t i = 0; i < batch.size(); ++i) batch[i].pending = review[i];
  absl::StatusOr<std::vector<int64_t>> stored = StoreMachineLabels(store_, batch, clock_->NowMs());
  if (!stored.ok()) {
    queue_->AddImages(claimed);
    return stored.status();
  }
  absl::flat_hash_set<int64_t> stored_set(stored->begin(), stored->end());
  std::vector<int64_t> back;
  for (const MachineLabelRow& row : batch) {
    if (!stored_set.contains(row.image_id)) {
      back.push_back(row.image_id);
      ++counts->busy;
    } else {
      ++counts->labeled;
      if (row.pending) ++counts->pending;
    }
  }
  queue_->RemoveImages(*stored);
  queue_->AddImages(back);
  return absl::OkStatus();
}

v1::AutoLabeling AutoLabeler::Label(const std::string& version) {
  v1::AutoLabeling pass;
  absl::StatusOr<ModelVersionInfo> info = registry_->Info(version);
  if (!info.ok()) {
    pass.set_note(absl::StrCat("not applied: ", info.status().message()));
    return pass;
  }
  const CalibratedThreshold& calibration = info->metrics.autolabel;
  if (!calibration.found) {
    pass.set_note(absl::StrCat(
        "not applied: ", calibration.reason.empty()
                             ? std::string("no calibration (no validation labels when it trained)")
                             : calibration.reason));
    return pass;
  }
  const double threshold =
      AutoLabelThreshold(calibration.threshold, options_.label_assist_threshold);
  pass.set_threshold(threshold);
  absl::StatusOr<absl::flat_hash_map<std::string, int64_t>> class_ids = store_->ClassIds();
  if (!class_ids.ok()) {
    pass.set_note(absl::StrCat("failed: ", class_ids.status().message()));
    return pass;
  }
  PassCounts counts;
  std::string failure;
  int64_t after_id = 0;
  while (failure.empty() && !Stopping()) {
    absl::StatusOr<std::vector<Candidate>> page =
        ReadCandidates(store_, version, after_id, options_.batch);
    if (!page.ok()) {
      failure = std::string(page.status().message());
      break;
    }
    if (page->empty()) break;
    after_id = page->back().image_id;
    std::vector<MachineLabelRow> rows;
    for (const Candidate& c : *page) {
      switch (JudgePrelabels(c.prelabels, threshold)) {
        case PrelabelVerdict::kEmpty:
          ++counts.empty;
          continue;
        case PrelabelVerdict::kAmbiguous:
          ++counts.ambiguous;
          continue;
        case PrelabelVerdict::kConfident:
          break;
      }
      std::optional<std::vector<ValidBox>> boxes = ToBoxes(c.prelabels, *class_ids);
      if (!boxes.has_value()) {
        ++counts.ambiguous;
        continue;
      }
      rows.push_back({c.image_id, version, *std::move(boxes), false});
    }
    absl::Status written = Write(std::move(rows), &counts);
    if (!written.ok()) failure = std::string(written.message());
  }
  pass.set_note(absl::StrFormat(
      "labeled %d images (%d pending review) at threshold %.4f (calibrated %.4f: precision %.3f, "
      "recall %.3f on %d validation predictions); left for people: %d ambiguous, %d without "
      "pre-labels, %d busy%s",
      counts.labeled, counts.pending, threshold, calibration.threshold, calibration.precision,
      calibration.recall, calibration.support, counts.ambiguous, counts.empty, counts.busy,
      failure.empty() ? "" : absl::StrCat("; stopped: ", failure)));
  return pass;
}

}  // namespace labelloop
