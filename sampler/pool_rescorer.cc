#include "sampler/pool_rescorer.h"

#include <torch/torch.h>

#include <algorithm>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "inference/fcos.h"
#include "inference/image_tensor.h"
#include "labelloop/v1/model.pb.h"
#include "labelloop/v1/queue.pb.h"
#include "sampler/batch_selection.h"
#include "sampler/image_score.h"
#include "sampler/image_scorer.h"
#include "spdlog/spdlog.h"

namespace labelloop {

PoolRescorer::PoolRescorer(Store* store, LabelQueue* queue, PoolRescorerOptions options)
    : store_(store), queue_(queue), options_(std::move(options)), thread_([this] { Run(); }) {}

PoolRescorer::~PoolRescorer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

absl::Status PoolRescorer::LoadStoredScores(const std::string& serving_version) {
  std::vector<std::pair<int64_t, QueueScore>> scores;
  absl::Status status = store_->Read([&](SqliteDb* db) -> absl::Status {
    absl::StatusOr<SqliteStatement> query = db->Prepare(
        "SELECT image_id, model_version, uncertainty, parts,"
        " IFNULL(length(embedding), 0) > 0 FROM image_scores");
    if (!query.ok()) return query.status();
    while (true) {
      absl::StatusOr<bool> row = query->Step();
      if (!row.ok()) return row.status();
      if (!*row) return absl::OkStatus();
      v1::ScoreParts parts;
      parts.ParseFromString(query->ColumnBlob(3));
      scores.push_back({query->ColumnInt(0),
                        {query->ColumnDouble(2), query->ColumnText(1), parts.strategy(),
                         query->ColumnInt(4) != 0}});
    }
  });
  if (!status.ok()) return status;
  queue_->SetServingVersion(serving_version);
  if (options_.sampler.strategy != SamplingStrategy::kRandom) queue_->SetScores(scores);
  spdlog::info("loaded {} stored image scores", scores.size());
  return absl::OkStatus();
}

void PoolRescorer::OnPromotion(std::shared_ptr<const ServingModel> model) {
  queue_->SetServingVersion(model->version());
  // The whole waiting pool, best ranked first: the head of the queue is fresh first.
  Start(std::move(model), queue_->RankedSnapshot(SIZE_MAX));
}

void PoolRescorer::Resume(std::shared_ptr<const ServingModel> model) {
  queue_->SetServingVersion(model->version());
  absl::flat_hash_set<int64_t> current;
  absl::Status status = store_->Read([&](SqliteDb* db) -> absl::Status {
    absl::StatusOr<SqliteStatement> query =
        db->Prepare("SELECT image_id FROM image_scores WHERE model_version = ?");
    if (!query.ok()) return query.status();
    query->Bind(1, model->version());
    while (true) {
      absl::StatusOr<bool> row = query->Step();
      if (!row.ok()) return row.status();
      if (!*row) return absl::OkStatus();
      current.insert(query->ColumnInt(0));
    }
  });
  if (!status.ok()) spdlog::warn("cannot read stored scores: {}", status.ToString());
  std::vector<int64_t> ranked = queue_->RankedSnapshot(SIZE_MAX);
  ranked.erase(std::remove_if(ranked.begin(), ranked.end(),
                              [&](int64_t id) { return current.contains(id); }),
               ranked.end());
  Start(std::move(model), std::move(ranked));
}

void PoolRescorer::Start(std::shared_ptr<const ServingModel> model, std::vector<int64_t> ranked) {
  std::lock_guard<std::mutex> lock(mu_);
  model_ = std::move(model);
  todo_.assign(ranked.begin(), ranked.end());
  progress_ =
      RescoreProgress{model_->version(), 0, static_cast<int64_t>(todo_.size()), !todo_.empty()};
  changed_.notify_all();
}

void PoolRescorer::OnImagesAdded(const std::vector<int64_t>& image_ids) {
  // Nothing new (say, every image a duplicate): no work, so the pass must not look running, as
  // no worker wakes to clear the flag.
  if (image_ids.empty()) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (model_ == nullptr) return;  // Nothing to score with yet; the first promotion will.
  todo_.insert(todo_.end(), image_ids.begin(), image_ids.end());
  progress_.total += static_cast<int64_t>(image_ids.size());
  progress_.running = true;
  changed_.notify_all();
}

void PoolRescorer::ScoreFirst(const std::vector<int64_t>& image_ids) {
  if (image_ids.empty()) return;  // as in OnImagesAdded
  std::lock_guard<std::mutex> lock(mu_);
  if (model_ == nullptr) return;
  // Pushed to the front without taking them out of their later place: O(1) on a pool of
  // millions; the second visit rescores an image (or skips it once labeled), and is counted.
  for (auto it = image_ids.rbegin(); it != image_ids.rend(); ++it) todo_.push_front(*it);
  progress_.total += static_cast<int64_t>(image_ids.size());
  progress_.running = true;
  changed_.notify_all();
}

RescoreProgress PoolRescorer::Progress() const {
  std::lock_guard<std::mutex> lock(mu_);
  return progress_;
}

void PoolRescorer::WaitIdle() const {
  std::unique_lock<std::mutex> lock(mu_);
  changed_.wait(lock, [&] { return stopping_ || (todo_.empty() && !busy_); });
}

void PoolRescorer::Run() {
  if (options_.threads > 0) torch::set_num_threads(options_.threads);
  while (true) {
    std::shared_ptr<const ServingModel> model;
    std::vector<int64_t> batch;
    {
      std::unique_lock<std::mutex> lock(mu_);
      busy_ = false;
      if (todo_.empty()) {
        progress_.running = false;
        changed_.notify_all();
      }
      changed_.wait(lock, [&] { return stopping_ || !todo_.empty(); });
      if (stopping_) return;
      model = model_;
      while (!todo_.empty() && static_cast<int>(batch.size()) < options_.sampler.rescore_batch) {
        batch.push_back(todo_.front());
        todo_.pop_front();
      }
      busy_ = true;
    }
    absl::Status status = ScoreBatch(*model, batch);
    if (!status.ok()) spdlog::warn("pool scoring: {}", status.ToString());
    std::lock_guard<std::mutex> lock(mu_);
    if (model_ == model) progress_.done += static_cast<int64_t>(batch.size());
  }
}

absl::Status PoolRescorer::ScoreBatch(const ServingModel& model,
                                      const std::vector<int64_t>& image_ids) {
  std::vector<int64_t> ids;
  std::vector<torch::Tensor> tensors;
  std::vector<std::pair<int, int>> sizes;
  for (int64_t image_id : image_ids) {
    absl::StatusOr<StoredImage> image = store_->GetImage(image_id, 0);
    // Labeled or removed since the pass started: nothing to rank.
    if (!image.ok() || image->state == v1::IMAGE_STATE_LABELED) continue;
    absl::StatusOr<std::string> bytes =
        store_->ReadImageBytes(image->sha256, image->in_blob, image->uri, options_.max_image_bytes);
    if (!bytes.ok()) {
      spdlog::warn("cannot score image {}: {}", image_id, bytes.status().ToString());
      continue;
    }
    cv::Mat raw(1, static_cast<int>(bytes->size()), CV_8UC1, bytes->data());
    cv::Mat decoded = cv::imdecode(raw, cv::IMREAD_COLOR);
    if (decoded.empty()) continue;
    ids.push_back(image_id);
    sizes.push_back({decoded.cols, decoded.rows});
    tensors.push_back(MatToRgbTensor(decoded));
  }
  if (ids.empty()) return absl::OkStatus();
  std::vector<ScoredImage> scored;
  try {
    ImageScorer scorer(model.module(), options_.sampler.scorer);
    scored = scorer.Score(tensors);
  } catch (const c10::Error& e) {
    return absl::InternalError(absl::StrCat("scoring failed: ", e.msg()));
  }
  const std::string strategy(SamplingStrategyName(options_.sampler.strategy));
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  std::vector<std::pair<int64_t, QueueScore>> updates;
  absl::Status status = store_->Transact([&](SqliteDb* db) -> absl::Status {
    absl::StatusOr<SqliteStatement> put = db->Prepare(
        "INSERT OR REPLACE INTO image_scores(image_id, model_version, uncertainty, parts,"
        " predictions, embedding, predicted_classes, scored_ms) VALUES(?,?,?,?,?,?,?,?)");
    if (!put.ok()) return put.status();
    for (size_t i = 0; i < ids.size(); ++i) {
      const ScoredImage& s = scored[i];
      ImageScore score = ScoreImage(s.detections, s.views, options_.sampler);
      v1::ScoreParts parts;
      parts.set_uncertainty(score.uncertainty);
      parts.set_strategy(strategy);
      parts.set_model_version(model.version());
      v1::PredictResponse predictions;
      predictions.set_model_version(model.version());
      predictions.set_width(sizes[i].first);
      predictions.set_height(sizes[i].second);
      // The classes the model predicts in the image, for the rare-class boost: those of its
      // pre-labels. Every class shows up somewhere among detections down to 0.05, which would
      // make every image look as if it held the rarest class.
      std::vector<int64_t> predicted_classes;
      for (const ScoredDetection& d : s.detections) {
        if (d.score < options_.label_assist_threshold || d.label < 1 ||
            d.label > static_cast<int64_t>(model.class_names().size())) {
          continue;
        }
        if (std::find(predicted_classes.begin(), predicted_classes.end(), d.label) ==
            predicted_classes.end()) {
          predicted_classes.push_back(d.label);
        }
        v1::Box* box = predictions.add_detections();
        box->set_x1(d.box.x1);
        box->set_y1(d.box.y1);
        box->set_x2(d.box.x2);
        box->set_y2(d.box.y2);
        box->set_score(d.score);
        box->set_class_name(model.class_names()[d.label - 1]);
      }
      std::string embedding(reinterpret_cast<const char*>(s.embedding.data()),
                            s.embedding.size() * sizeof(float));
      put->Reset();
      absl::Status s_status = put->Bind(1, ids[i])
                                  .Bind(2, model.version())
                                  .Bind(3, score.uncertainty)
                                  .BindBlob(4, parts.SerializeAsString())
                                  .BindBlob(5, predictions.SerializeAsString())
                                  .BindBlob(6, embedding)
                                  .Bind(7, absl::StrJoin(predicted_classes, ","))
                                  .Bind(8, now_ms)
                                  .Run();
      if (!s_status.ok()) return s_status;
      updates.push_back(
          {ids[i], {score.uncertainty, model.version(), strategy, !s.embedding.empty()}});
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (options_.sampler.strategy != SamplingStrategy::kRandom) queue_->SetScores(updates);
  return absl::OkStatus();
}

}  // namespace labelloop
