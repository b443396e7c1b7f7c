#include "benchmarks/queue_load/synthetic_pool.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/store.h"
#include "labelloop/v1/model.pb.h"
#include "labelloop/v1/queue.pb.h"

namespace labelloop {
namespace {

// splitmix64: a bijection on 64-bit values, so distinct indices give distinct hash prefixes
// and the made-up sha256 values spread over the validation split like real ones.
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::string FakeSha256(uint64_t index) {
  uint64_t a = Mix(index);
  return absl::StrFormat("%016x%016x%016x%016x", a, Mix(a), Mix(a + 1), Mix(a + 2));
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct ScoreRow {
  int64_t image_id = 0;
  double uncertainty = 0.0;
  std::string parts;
  std::string predictions;
  std::string embedding;  // float32; empty: NULL
};

std::string RandomUnitEmbedding(int dim, std::mt19937_64& rng) {
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> e(static_cast<size_t>(dim));
  float norm = 0.0f;
  for (float& x : e) {
    x = normal(rng);
    norm += x * x;
  }
  norm = std::sqrt(std::max(norm, 1e-12f));
  for (float& x : e) x /= norm;
  return std::string(reinterpret_cast<const char*>(e.data()), e.size() * sizeof(float));
}

ScoreRow MakeScore(int64_t image_id, const std::vector<std::string>& classes, int embedding_dim,
                   std::mt19937_64& rng) {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  ScoreRow row;
  if (embedding_dim > 0) row.embedding = RandomUnitEmbedding(embedding_dim, rng);
  row.image_id = image_id;
  row.uncertainty = unit(rng);
  v1::ScoreParts parts;
  parts.set_uncertainty(row.uncertainty);
  parts.set_strategy("hybrid");
  parts.set_model_version(kSyntheticModelVersion);
  row.parts = parts.SerializeAsString();
  v1::PredictResponse predictions;
  predictions.set_model_version(kSyntheticModelVersion);
  predictions.set_width(640);
  predictions.set_height(480);
  const int boxes = 2 + static_cast<int>(rng() % 2);
  for (int b = 0; b < boxes; ++b) {
    v1::Box* box = predictions.add_detections();
    const float x = static_cast<float>(unit(rng) * 500.0);
    const float y = static_cast<float>(unit(rng) * 340.0);
    box->set_x1(x);
    box->set_y1(y);
    box->set_x2(x + 20.0f + static_cast<float>(unit(rng) * 120.0));
    box->set_y2(y + 20.0f + static_cast<float>(unit(rng) * 120.0));
    box->set_class_name(classes[rng() % classes.size()]);
    box->set_score(static_cast<float>(0.3 + 0.7 * unit(rng)));
  }
  row.predictions = predictions.SerializeAsString();
  return row;
}

absl::Status InsertScores(Store* store, const std::vector<ScoreRow>& rows) {
  const int64_t scored_ms = NowMs();
  return store->Transact([&](SqliteDb* db) -> absl::Status {
    absl::StatusOr<SqliteStatement> put = db->Prepare(
        "INSERT OR REPLACE INTO image_scores(image_id, model_version, uncertainty, parts,"
        " predictions, embedding, predicted_classes, scored_ms) VALUES(?,?,?,?,?,?,'',?)");
    if (!put.ok()) return put.status();
    for (const ScoreRow& row : rows) {
      put->Reset();
      put->Bind(1, row.image_id)
          .Bind(2, absl::string_view(kSyntheticModelVersion))
          .Bind(3, row.uncertainty)
          .BindBlob(4, row.parts)
          .BindBlob(5, row.predictions)
          .Bind(7, scored_ms);
      if (!row.embedding.empty()) put->BindBlob(6, row.embedding);
      if (absl::Status status = put->Run(); !status.ok()) return status;
    }
    return absl::OkStatus();
  });
}

// Writes what SubmitLabels would have stored for each image, directly: a label version, its boxes
// and the LABELED state.
absl::Status InsertLabels(Store* store, const std::vector<int64_t>& image_ids,
                          const std::vector<int64_t>& class_ids, std::mt19937_64& rng) {
  const int64_t created_ms = NowMs();
  return store->Transact([&](SqliteDb* db) -> absl::Status {
    absl::StatusOr<SqliteStatement> label = db->Prepare(
        "INSERT INTO labels(image_id, version, annotator, created_ms, lease_id)"
        " VALUES(?, 1, 'seed', ?, '')");
    if (!label.ok()) return label.status();
    absl::StatusOr<SqliteStatement> box = db->Prepare(
        "INSERT INTO boxes(label_id, idx, x1, y1, x2, y2, class_id) VALUES(?,?,?,?,?,?,?)");
    if (!box.ok()) return box.status();
    absl::StatusOr<SqliteStatement> state = db->Prepare(absl::StrCat(
        "UPDATE images SET state = ", static_cast<int>(v1::IMAGE_STATE_LABELED), " WHERE id = ?"));
    if (!state.ok()) return state.status();
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    for (int64_t image_id : image_ids) {
      label->Reset();
      if (absl::Status s = label->Bind(1, image_id).Bind(2, created_ms).Run(); !s.ok()) return s;
      const int64_t label_id = db->LastInsertRowId();
      const int boxes = 2 + static_cast<int>(rng() % 2);
      for (int b = 0; b < boxes; ++b) {
        const double x = unit(rng) * 500.0;
        const double y = unit(rng) * 340.0;
        box->Reset();
        absl::Status s = box->Bind(1, label_id)
                             .Bind(2, static_cast<int64_t>(b))
                             .Bind(3, x)
                             .Bind(4, y)
                             .Bind(5, x + 20.0 + unit(rng) * 120.0)
                             .Bind(6, y + 20.0 + unit(rng) * 120.0)
                             .Bind(7, class_ids[rng() % class_ids.size()])
                             .Run();
        if (!s.ok()) return s;
      }
      state->Reset();
      if (absl::Status s = state->Bind(1, image_id).Run(); !s.ok()) return s;
    }
    return absl::OkStatus();
  });
}

}  // namespace

absl::StatusOr<int64_t> CountImages(Store* store) {
  int64_t count = 0;
  absl::Status status = store->Read([&](SqliteDb* db) -> absl::Status {
    absl::StatusOr<SqliteStatement> query = db->Prepare("SELECT COUNT(*) FROM images");
    if (!query.ok()) return query.status();
    absl::StatusOr<bool> row = query->Step();
    if (!row.ok()) return row.status();
    count = query->ColumnInt(0);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return count;
}

absl::Status PopulateSyntheticPool(Store* store, const SyntheticPoolOptions& options) {
  if (options.classes.empty()) return absl::InvalidArgumentError("no classes given");
  if (absl::Status status = store->SetClasses(options.classes); !status.ok()) return status;
  absl::StatusOr<absl::flat_hash_map<std::string, int64_t>> ids = store->ClassIds();
  if (!ids.ok()) return ids.status();
  std::vector<int64_t> class_ids;
  for (const std::string& name : options.classes) class_ids.push_back(ids->at(name));
  std::mt19937_64 rng(options.seed);
  int64_t to_label = options.labeled;
  for (int64_t first = 0; first < options.images; first += options.chunk) {
    const int64_t end = std::min(options.images, first + options.chunk);
    std::vector<NewImage> images;
    images.reserve(static_cast<size_t>(end - first));
    for (int64_t i = first; i < end; ++i) {
      NewImage& image = images.emplace_back();
      image.sha256 = FakeSha256(static_cast<uint64_t>(i));
      image.uri = absl::StrFormat("synthetic://queue_load/%09d.jpg", i);
      image.in_blob = false;
      image.width = 640;
      image.height = 480;
      image.size_bytes = 40000 + static_cast<int64_t>(rng() % 160000);
    }
    absl::StatusOr<std::vector<AddImageResult>> added = store->AddImages(images);
    if (!added.ok()) return added.status();
    std::vector<ScoreRow> scores;
    scores.reserve(added->size());
    for (const AddImageResult& result : *added) {
      if (result.duplicate) {
        return absl::FailedPreconditionError(absl::StrCat("synthetic image ", result.image_id,
                                                          " already stored: populate an empty "
                                                          "data folder"));
      }
      scores.push_back(MakeScore(result.image_id, options.classes, options.embedding_dim, rng));
    }
    if (absl::Status status = InsertScores(store, scores); !status.ok()) return status;
    std::vector<int64_t> labeled;
    for (size_t i = 0; i < added->size() && to_label > 0; ++i, --to_label) {
      labeled.push_back((*added)[i].image_id);
    }
    if (!labeled.empty()) {
      if (absl::Status status = InsertLabels(store, labeled, class_ids, rng); !status.ok()) {
        return status;
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace labelloop
