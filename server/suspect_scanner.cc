#include "server/suspect_scanner.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "common/class_changes.h"
#include "server/suspect_finder.h"
#include "server/suspect_store.h"
#include "spdlog/spdlog.h"

namespace labelloop {
namespace {

// Images per transaction: a crash loses at most this many images' findings.
constexpr size_t kWriteGroup = 16;

// Every class name by id, retired ones too (an old label version may still use one).
absl::StatusOr<absl::flat_hash_map<int64_t, std::string>> ClassNames(Store* store) {
  absl::flat_hash_map<int64_t, std::string> names;
  absl::Status status = store->Read([&](SqliteDb* db) -> absl::Status {
    absl::StatusOr<SqliteStatement> query = db->Prepare("SELECT id, name FROM classes");
    if (!query.ok()) return query.status();
    while (true) {
      absl::StatusOr<bool> row = query->Step();
      if (!row.ok()) return row.status();
      if (!*row) return absl::OkStatus();
      names[query->ColumnInt(0)] = query->ColumnText(1);
    }
  });
  if (!status.ok()) return status;
  return names;
}

}  // namespace

SuspectScanner::SuspectScanner(Store* store, v1::SuspectConfig config, int64_t max_image_bytes,
                               const Clock* clock)
    : store_(store),
      config_(std::move(config)),
      max_image_bytes_(max_image_bytes),
      clock_(clock),
      thread_([this] { Run(); }) {}

SuspectScanner::~SuspectScanner() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void SuspectScanner::OnPromotion(std::shared_ptr<const ServingModel> model) {
  std::lock_guard<std::mutex> lock(mu_);
  pending_ = std::move(model);
  progress_ = SuspectScanProgress{pending_->version(), 0, 0, true};
  changed_.notify_all();
}

SuspectScanProgress SuspectScanner::Progress() const {
  std::lock_guard<std::mutex> lock(mu_);
  return progress_;
}

void SuspectScanner::WaitIdle() const {
  std::unique_lock<std::mutex> lock(mu_);
  changed_.wait(lock, [&] { return stopping_ || (pending_ == nullptr && !progress_.running); });
}

bool SuspectScanner::Superseded(const std::shared_ptr<const ServingModel>& model) const {
  std::lock_guard<std::mutex> lock(mu_);
  return stopping_ || (pending_ != nullptr && pending_ != model);
}

void SuspectScanner::Run() {
  // Background work: serving, labeling and the pool's re-scoring come first. Linux niceness is
  // per thread and inherited by the threads this one starts (torch's OpenMP team for it).
  if (setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 10) != 0) {
    spdlog::debug("suspect scan: cannot lower the thread's priority");
  }
  while (true) {
    std::shared_ptr<const ServingModel> model;
    {
      std::unique_lock<std::mutex> lock(mu_);
      changed_.wait(lock, [&] { return stopping_ || pending_ != nullptr; });
      if (stopping_) return;
      model = std::move(pending_);
      pending_ = nullptr;
    }
    Scan(model);
    std::lock_guard<std::mutex> lock(mu_);
    if (pending_ == nullptr) progress_.running = false;
    changed_.notify_all();
  }
}

void SuspectScanner::Scan(const std::shared_ptr<const ServingModel>& model) {
  absl::StatusOr<std::vector<LabeledExample>> examples = store_->LabeledExamples("");
  absl::StatusOr<absl::flat_hash_map<int64_t, std::string>> names = ClassNames(store_);
  if (!examples.ok() || !names.ok()) {
    spdlog::warn("suspect scan with {}: cannot read labels: {}", model->version(),
                 (!examples.ok() ? examples.status() : names.status()).ToString());
    return;
  }
  // The model names classes as they were when it was trained: renamed and merged ones are
  // compared under their names now, deleted ones not at all.
  absl::StatusOr<std::vector<v1::ClassChange>> changes = ListClassChanges(store_);
  if (!changes.ok()) {
    spdlog::warn("suspect scan with {}: {}", model->version(), changes.status().ToString());
    return;
  }
  std::vector<std::string> predicted_names;
  for (const std::string& name : model->class_names()) {
    predicted_names.push_back(TraceClassName(*changes, name));
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    progress_.total = static_cast<int64_t>(examples->size());
  }
  std::vector<LabelFindings> batch;
  int64_t found = 0;
  auto flush = [&]() {
    if (batch.empty()) return;
    absl::Status status = StoreSuspects(store_, model->version(), batch, clock_->NowMs());
    if (!status.ok()) spdlog::warn("suspect scan: {}", status.ToString());
    batch.clear();
  };
  for (const LabeledExample& example : *examples) {
    if (Superseded(model)) return;  // The newer model scans from the start.
    absl::StatusOr<std::string> bytes =
        store_->ReadImageBytes(example.sha256, example.in_blob, example.uri, max_image_bytes_);
    absl::StatusOr<std::vector<Prediction>> predictions =
        bytes.ok() ? model->PredictEncoded(*bytes, config_.support_score())
                   : absl::StatusOr<std::vector<Prediction>>(bytes.status());
    if (!predictions.ok()) {
      spdlog::warn("suspect scan: image {}: {}", example.image_id, predictions.status().ToString());
    } else {
      std::vector<v1::Box> label_boxes, predicted;
      for (const ValidBox& b : example.boxes) {
        v1::Box& box = label_boxes.emplace_back();
        box.set_x1(b.x1), box.set_y1(b.y1), box.set_x2(b.x2), box.set_y2(b.y2);
        auto it = names->find(b.class_id);
        box.set_class_name(it != names->end() ? it->second : "");
      }
      for (const Prediction& p : *predictions) {
        if (p.class_index < 0 || p.class_index >= static_cast<int>(predicted_names.size()) ||
            predicted_names[p.class_index].empty()) {
          continue;
        }
        v1::Box& box = predicted.emplace_back();
        box.set_x1(p.x1), box.set_y1(p.y1), box.set_x2(p.x2), box.set_y2(p.y2);
        box.set_score(p.score);
        box.set_class_name(predicted_names[p.class_index]);
      }
      LabelFindings& label = batch.emplace_back();
      label.image_id = example.image_id;
      label.label_id = example.label_id;
      label.findings = FindSuspects(label_boxes, predicted, config_);
      found += static_cast<int64_t>(label.findings.size());
      if (batch.size() >= kWriteGroup) flush();
    }
    std::lock_guard<std::mutex> lock(mu_);
    ++progress_.checked;
  }
  flush();
  spdlog::info("suspect scan with {}: {} labeled images, {} findings", model->version(),
               examples->size(), found);
}

}  // namespace labelloop
