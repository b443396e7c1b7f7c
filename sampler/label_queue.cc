#include "sampler/label_queue.h"

#include <algorithm>
#include <optional>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/box_validation.h"
#include "sampler/random_order.h"

namespace labelloop {

absl::StatusOr<std::unique_ptr<LabelQueue>> LabelQueue::Create(Store* store, QueueOptions options,
                                                               const Clock* clock) {
  std::unique_ptr<LabelQueue> queue(new LabelQueue(store, options, clock));
  absl::StatusOr<std::vector<StoredImage>> candidates = store->QueueCandidates();
  if (!candidates.ok()) return candidates.status();
  absl::flat_hash_map<int64_t, PoolEntry> waiting;
  for (const StoredImage& image : *candidates) {
    waiting[image.id] = queue->EntryFor(image.id, image.state, image.skipped_ms);
  }
  // Overlap images part way: who labeled them so far.
  absl::Status read = store->Read([&](SqliteDb* db) -> absl::Status {
    absl::StatusOr<std::vector<OverlapProgress>> progress = ReadOverlapProgress(db);
    if (!progress.ok()) return progress.status();
    for (const OverlapProgress& p : *progress) {
      if (!waiting.contains(p.image_id)) continue;
      queue->overlap_.Start(p.image_id, p.needed).done = p.annotators;
    }
    return absl::OkStatus();
  });
  if (!read.ok()) return read;
  absl::StatusOr<std::vector<StoredLease>> leases = store->LoadLeases();
  if (!leases.ok()) return leases.status();
  const int64_t now_ms = clock->NowMs();
  for (const StoredLease& lease : *leases) {
    if (lease.slot > 0 && lease.expires_ms > now_ms && waiting.contains(lease.image_id)) {
      // One of an overlap image's leases; the image leaves the pool below once it is full.
      queue->overlap_.Start(lease.image_id, options.overlap.annotators);
      queue->overlap_.AddLease(lease.image_id,
                               {lease.slot, lease.lease_id, lease.annotator, lease.expires_ms});
    } else if (lease.slot == 0 && lease.expires_ms > now_ms && waiting.contains(lease.image_id)) {
      queue->leases_.Grant(lease.image_id, {lease.lease_id, lease.annotator, lease.expires_ms});
      waiting.erase(lease.image_id);
    } else {
      // Expired while the daemon was down: the image simply stays in the pool.
      absl::Status status = store->DeleteLease(lease.image_id, lease.lease_id);
      if (!status.ok()) return status;
    }
  }
  for (auto it = waiting.begin(); it != waiting.end() && !queue->overlap_.empty();) {
    OverlapImage* image = queue->overlap_.Find(it->first);
    if (image != nullptr && image->full()) {
      waiting.erase(it++);
    } else {
      ++it;
    }
  }
  queue->pool_.Assign(std::vector<std::pair<int64_t, PoolEntry>>(waiting.begin(), waiting.end()));
  return queue;
}

LabelQueue::LabelQueue(Store* store, QueueOptions options, const Clock* clock)
    : store_(store),
      options_(options),
      clock_(clock),
      lease_id_rng_(std::random_device{}()),
      shuffle_rng_(std::random_device{}()) {}

PoolEntry LabelQueue::EntryFor(int64_t image_id, v1::ImageState state, int64_t skipped_ms) const {
  uint64_t key = RandomOrderKey(options_.shuffle_seed, image_id);
  if (state == v1::IMAGE_STATE_SKIPPED) {
    return PoolEntry{PoolEntry::kSkipped, -static_cast<double>(skipped_ms), 0, key};
  }
  auto score = scores_.find(image_id);
  double priority = score != scores_.end() ? score->second.uncertainty : RandomOrderScore(key);
  return PoolEntry{PoolEntry::kUnlabeled, priority, key, key};
}

std::string LabelQueue::NewLeaseId() {
  uint64_t parts[2] = {lease_id_rng_(), lease_id_rng_()};
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(parts), sizeof(parts)));
}

void LabelQueue::ExpireLeases(int64_t now_ms) {
  for (int64_t image_id : leases_.TakeExpired(now_ms)) {
    // A submission in flight decides this image's fate when it finishes.
    if (in_commit_.contains(image_id)) continue;
    absl::StatusOr<StoredImage> image = store_->GetImage(image_id, now_ms);
    if (!image.ok()) continue;  // Removed meanwhile.
    pool_.Put(image_id, EntryFor(image_id, image->state, image->skipped_ms));
  }
  if (overlap_.empty()) return;
  for (int64_t image_id : overlap_.TakeExpired(now_ms)) RequeueOverlap(image_id);
}

void LabelQueue::RequeueOverlap(int64_t image_id) {
  OverlapImage* image = overlap_.Find(image_id);
  if (image == nullptr || image->full() || pool_.Contains(image_id) ||
      in_handout_.contains(image_id)) {
    return;
  }
  pool_.Put(image_id, EntryFor(image_id, v1::IMAGE_STATE_UNLABELED, 0));
}

void LabelQueue::KeepAllowed(const std::string& annotator,
                             std::vector<std::pair<int64_t, PoolEntry>>* taken,
                             std::vector<BatchCandidate>* view,
                             std::vector<std::pair<int64_t, PoolEntry>>* set_aside) {
  size_t kept = 0;
  for (size_t i = 0; i < taken->size(); ++i) {
    OverlapImage* image = overlap_.Find((*taken)[i].first);
    if (image != nullptr && !image->Allows(annotator)) {
      set_aside->push_back((*taken)[i]);
      continue;
    }
    (*taken)[kept] = (*taken)[i];
    if (view != nullptr) (*view)[kept] = (*view)[i];
    ++kept;
  }
  taken->resize(kept);
  if (view != nullptr) view->resize(kept);
}

absl::StatusOr<std::vector<Handout>> LabelQueue::Next(int count, const std::string& annotator,
                                                      int lease_seconds) {
  if (count < 1 || count > options_.max_batch_count) {
    return absl::InvalidArgumentError(
        absl::StrCat("count must be in [1, ", options_.max_batch_count, "], got ", count));
  }
  if (annotator.empty()) return absl::InvalidArgumentError("annotator is required");
  if (lease_seconds < 0 || lease_seconds > options_.max_lease_seconds) {
    return absl::InvalidArgumentError(absl::StrCat(
        "lease_seconds must be in [0, ", options_.max_lease_seconds, "], got ", lease_seconds));
  }
  if (lease_seconds == 0) lease_seconds = options_.default_lease_seconds;

  // Three steps, so that store reads (the picker's embeddings, the images' rows) run without
  // the queue's mutex and concurrent annotators do not wait for each other's reads: take
  // candidates out of the pool (locked), pick and read (unlocked; the candidates are in
  // neither the pool nor the leases, so nobody else can take them), then grant leases and put
  // back what was not picked (locked).
  int64_t now_ms = 0;
  std::vector<std::pair<int64_t, PoolEntry>> candidates;
  std::vector<BatchCandidate> view;
  BatchPicker picker;
  {
    std::lock_guard<std::mutex> lock(mu_);
    now_ms = clock_->NowMs();
    ExpireLeases(now_ms);
    // Overlap images this annotator already holds or labeled are set aside (and put back below).
    std::vector<std::pair<int64_t, PoolEntry>> set_aside;
    if (picker_ != nullptr && embedded_scores_ > 0) {
      picker = picker_;
      candidates = PopPickerCandidates(count, &view);
      if (!overlap_.empty()) KeepAllowed(annotator, &candidates, &view, &set_aside);
    } else {
      candidates = TakeRanked(count);
      if (!overlap_.empty()) {
        KeepAllowed(annotator, &candidates, nullptr, &set_aside);
        while (candidates.size() < static_cast<size_t>(count)) {
          std::vector<std::pair<int64_t, PoolEntry>> more =
              TakeRanked(count - static_cast<int>(candidates.size()));
          if (more.empty()) break;
          KeepAllowed(annotator, &more, nullptr, &set_aside);
          candidates.insert(candidates.end(), more.begin(), more.end());
        }
      }
    }
    for (const auto& [image_id, entry] : set_aside) pool_.Put(image_id, entry);
    for (const auto& candidate : candidates) in_handout_.insert(candidate.first);
  }

  std::vector<bool> chosen(candidates.size(), picker == nullptr);
  std::vector<BatchPick> picks;
  std::vector<std::pair<int64_t, PoolEntry>> taken;
  if (picker != nullptr) {
    // Only valid, distinct picks count, at most `count` of them.
    for (const BatchPick& pick : picker(view, count)) {
      if (pick.index < 0 || pick.index >= static_cast<int>(candidates.size()) ||
          chosen[pick.index] || taken.size() >= static_cast<size_t>(count)) {
        continue;
      }
      chosen[pick.index] = true;
      taken.push_back(candidates[pick.index]);
      picks.push_back(pick);
    }
  } else {
    taken = candidates;
  }
  std::vector<int64_t> ids;
  ids.reserve(taken.size());
  for (const auto& t : taken) ids.push_back(t.first);
  absl::StatusOr<std::vector<StoredImage>> images = store_->GetImages(ids, now_ms);

  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& candidate : candidates) in_handout_.erase(candidate.first);
  for (size_t i = 0; i < candidates.size(); ++i) {
    if (!chosen[i]) pool_.Put(candidates[i].first, candidates[i].second);
  }
  if (!images.ok()) {
    for (const auto& [image_id, entry] : taken) pool_.Put(image_id, entry);
    return images.status();
  }
  absl::flat_hash_map<int64_t, StoredImage*> by_id;
  for (StoredImage& image : *images) by_id[image.id] = &image;
  std::vector<Handout> handouts;
  std::vector<StoredLease> records;
  std::vector<std::pair<int, int>> sizes;
  // Per record: the overlap image's pool entry (put back while it has free places), if any.
  std::vector<std::optional<PoolEntry>> overlap_entries;
  const int64_t expires_ms = now_ms + static_cast<int64_t>(lease_seconds) * 1000;
  for (size_t i = 0; i < taken.size(); ++i) {
    auto& [image_id, entry] = taken[i];
    auto image = by_id.find(image_id);
    if (image == by_id.end()) continue;  // Removed between pool and store: nothing to hand out.
    OverlapImage* overlap = overlap_.Find(image_id);
    if (overlap == nullptr && options_.overlap.Selects(image_id) &&
        image->second->label_versions == 0) {
      overlap = &overlap_.Start(image_id, options_.overlap.annotators);
    }
    int slot = 0;
    if (overlap != nullptr) {
      if (!overlap->Allows(annotator) || overlap->full()) {
        RequeueOverlap(image_id);
        continue;
      }
      slot = OverlapTable::FreeSlot(*overlap);
      // Reserve the place until the lease is granted below.
      overlap->leases.push_back({slot, "", annotator, 0});
    }
    Handout& h = handouts.emplace_back();
    h.image = std::move(*image->second);
    h.image.state = v1::IMAGE_STATE_LEASED;
    h.rank = static_cast<int64_t>(handouts.size() - 1);
    h.score = entry.tier == PoolEntry::kUnlabeled ? entry.priority : 0.0;
    auto score = scores_.find(image_id);
    if (score != scores_.end()) {
      h.uncertainty = score->second.uncertainty;
      h.strategy = score->second.strategy;
      h.model_version = score->second.model_version;
      h.stale = score->second.model_version != serving_version_;
    } else {
      h.strategy = "random";
    }
    if (i < picks.size()) {
      h.diversity = picks[i].diversity;
      if (!picks[i].strategy.empty()) h.strategy = picks[i].strategy;
    }
    h.lease_id = NewLeaseId();
    h.lease_expires_ms = expires_ms;
    records.push_back({image_id, h.lease_id, annotator, expires_ms, slot});
    sizes.push_back({h.image.width, h.image.height});
    overlap_entries.push_back(overlap != nullptr ? std::optional<PoolEntry>(entry) : std::nullopt);
  }
  // Drop the reservations: the real leases follow.
  for (const StoredLease& r : records) {
    if (r.slot > 0) overlap_.RemoveLease(r.image_id, "");
  }
  // Leases are durable before anyone learns their ids, so a restart never forgets one.
  absl::Status status = store_->PutLeases(records);
  if (!status.ok()) {
    for (auto& [image_id, entry] : taken) pool_.Put(image_id, entry);
    return status;
  }
  for (size_t i = 0; i < records.size(); ++i) {
    const StoredLease& r = records[i];
    if (r.slot > 0) {
      overlap_.AddLease(r.image_id, {r.slot, r.lease_id, r.annotator, r.expires_ms, sizes[i].first,
                                     sizes[i].second});
      // Still places free: the image stays available to other annotators at its rank.
      if (!overlap_.Find(r.image_id)->full()) pool_.Put(r.image_id, *overlap_entries[i]);
      continue;
    }
    leases_.Grant(r.image_id,
                  {r.lease_id, r.annotator, r.expires_ms, sizes[i].first, sizes[i].second});
  }
  return handouts;
}

std::vector<std::pair<int64_t, PoolEntry>> LabelQueue::PopPickerCandidates(
    int count, std::vector<BatchCandidate>* view) {
  // Ranked candidates plus a random sample of the pool: the picker chooses among them (for
  // diversity and a random share) and the rest go back where they were.
  const size_t n = static_cast<size_t>(count);
  std::vector<std::pair<int64_t, PoolEntry>> candidates =
      pool_.PopFront(n * static_cast<size_t>(std::max(1, options_.candidate_factor)));
  std::vector<std::pair<int64_t, PoolEntry>> sample = pool_.PopRandom(n);
  candidates.insert(candidates.end(), sample.begin(), sample.end());
  view->clear();
  view->reserve(candidates.size());
  for (const auto& [image_id, entry] : candidates) {
    auto score = scores_.find(image_id);
    if (score == scores_.end()) {
      view->push_back({image_id, 0.0, false, false});
    } else {
      view->push_back({image_id, score->second.uncertainty, true, score->second.has_embedding});
    }
  }
  return candidates;
}

std::vector<std::pair<int64_t, PoolEntry>> LabelQueue::TakeRanked(int count) {
  const size_t n = static_cast<size_t>(count);
  // By rank, with near-ties around the cut shuffled: everything within tie_epsilon of the last
  // image that makes the batch competes for the places on equal terms. Uniform scores over a
  // million images put ~10,000 within 0.01 of the cut, so the band beyond it is bounded. The
  // head is read in place and only the images taken leave the pool: popping and putting back
  // the band cost ~1 ms per batch on a 1,000,000-image pool (three ordered-set updates per image).
  const size_t max_band = n * static_cast<size_t>(std::max(1, options_.candidate_factor));
  // The random order before any model is a shuffle already.
  const bool shuffle_ties = options_.tie_epsilon > 0 && !scores_.empty();
  std::vector<std::pair<int64_t, PoolEntry>> head =
      pool_.PeekFront(shuffle_ties ? n + max_band : n);
  if (head.size() > n) {
    const PoolEntry last = head[n - 1].second;
    auto tied = [&](const PoolEntry& e) {
      return e.tier == last.tier && e.priority >= last.priority - options_.tie_epsilon &&
             e.priority <= last.priority + options_.tie_epsilon;
    };
    size_t band_end = n;  // The band beyond the cut: [n, band_end).
    while (band_end < head.size() && tied(head[band_end].second)) ++band_end;
    if (band_end > n) {
      // The tied region: the batch's own ties at its end, plus the band beyond the cut.
      size_t first_tie = n;
      while (first_tie > 0 && tied(head[first_tie - 1].second)) --first_tie;
      std::shuffle(head.begin() + static_cast<std::ptrdiff_t>(first_tie),
                   head.begin() + static_cast<std::ptrdiff_t>(band_end), shuffle_rng_);
    }
    head.resize(n);
  }
  for (const auto& taken : head) pool_.Remove(taken.first);
  return head;
}

absl::Status LabelQueue::CheckLease(int64_t image_id, const std::string& lease_id, int64_t now_ms) {
  if (lease_id.empty()) return absl::InvalidArgumentError("lease_id is required");
  if (overlap_.Find(image_id) != nullptr) {
    const OverlapLease* lease = overlap_.FindLease(image_id, lease_id, now_ms);
    if (lease == nullptr) {
      return absl::FailedPreconditionError(
          absl::StrCat("lease ", lease_id, " is not a live lease of image ", image_id,
                       " (an overlap image: expired, released or already used); get it again with "
                       "GetNextBatch"));
    }
    if (lease->in_commit) {
      return absl::FailedPreconditionError(
          absl::StrCat("a submission with lease ", lease_id, " is being stored right now"));
    }
    return absl::OkStatus();
  }
  if (in_commit_.contains(image_id)) {
    return absl::FailedPreconditionError(
        absl::StrCat("a submission for image ", image_id, " is being stored right now"));
  }
  const Lease* lease = leases_.Find(image_id, now_ms);
  if (lease == nullptr) {
    absl::StatusOr<StoredImage> image = store_->GetImage(image_id, now_ms);
    if (!image.ok()) return image.status();
    if (image->state == v1::IMAGE_STATE_LABELED) {
      return absl::FailedPreconditionError(
          absl::StrCat("image ", image_id, " is already labeled (", image->label_versions,
                       " version(s)); lease ", lease_id, " is no longer live"));
    }
    return absl::FailedPreconditionError(
        absl::StrCat("image ", image_id, " has no live lease (lease ", lease_id,
                     " expired or was released); get it again with GetNextBatch"));
  }
  if (lease->lease_id != lease_id) {
    return absl::FailedPreconditionError(
        absl::StrCat("lease ", lease_id, " is not the live lease of image ", image_id));
  }
  return absl::OkStatus();
}

absl::StatusOr<StoredLabel> LabelQueue::Submit(
    int64_t image_id, const std::string& lease_id,
    const google::protobuf::RepeatedPtrField<v1::Box>& boxes) {
  NewLabel label;
  int width = 0;
  int height = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    const int64_t now_ms = clock_->NowMs();
    ExpireLeases(now_ms);
    absl::Status status = CheckLease(image_id, lease_id, now_ms);
    if (!status.ok()) return status;
    if (OverlapLease* overlap = overlap_.FindLease(image_id, lease_id, now_ms);
        overlap != nullptr) {
      label.annotator = overlap->annotator;
      width = overlap->width;
      height = overlap->height;
      overlap->in_commit = true;
      label.overlap = options_.overlap;
    } else {
      const Lease* lease = leases_.Find(image_id, now_ms);
      label.annotator = lease->annotator;
      width = lease->width;
      height = lease->height;
      in_commit_.insert(image_id);
    }
  }
  // Validation and the durable write run without the queue's mutex, so many submissions share
  // one group commit while GetNextBatch keeps answering.
  absl::StatusOr<StoredLabel> stored = [&]() -> absl::StatusOr<StoredLabel> {
    if (width <= 0 || height <= 0) {
      // A lease from before a restart: read the size once.
      absl::StatusOr<StoredImage> image = store_->GetImage(image_id, clock_->NowMs());
      if (!image.ok()) return image.status();
      width = image->width;
      height = image->height;
    }
    absl::StatusOr<absl::flat_hash_map<std::string, int64_t>> class_ids = store_->ClassIds();
    if (!class_ids.ok()) return class_ids.status();
    BoxRules rules{width, height, options_.box_tolerance_pixels, options_.max_boxes_per_image};
    absl::StatusOr<std::vector<ValidBox>> valid = ValidateBoxes(boxes, rules, *class_ids);
    if (!valid.ok()) return valid.status();
    label.image_id = image_id;
    label.lease_id = lease_id;
    label.boxes = *std::move(valid);
    return store_->SubmitLabel(label, clock_->NowMs());
  }();
  std::lock_guard<std::mutex> lock(mu_);
  if (label.overlap.has_value()) {
    if (stored.ok() && stored->overlap.complete) {
      // The last place: the image leaves the queue (the other leases were all used).
      overlap_.Erase(image_id);
      pool_.Remove(image_id);
    } else if (stored.ok()) {
      overlap_.CompleteLease(image_id, lease_id);
    } else if (OverlapLease* lease = overlap_.FindLease(image_id, lease_id, 0); lease != nullptr) {
      lease->in_commit = false;
      if (lease->expires_ms <= clock_->NowMs()) {
        overlap_.RemoveLease(image_id, lease_id);
        RequeueOverlap(image_id);
      }
    }
    return stored;
  }
  in_commit_.erase(image_id);
  if (stored.ok()) {
    leases_.Remove(image_id);
  } else if (leases_.Find(image_id, clock_->NowMs()) == nullptr && !pool_.Contains(image_id)) {
    // The lease ran out while the failed submission was in flight: back to the queue.
    pool_.Put(image_id, EntryFor(image_id, v1::IMAGE_STATE_UNLABELED, 0));
  }
  return stored;
}

absl::Status LabelQueue::Skip(int64_t image_id, const std::string& lease_id) {
  std::unique_lock<std::mutex> lock(mu_);
  const int64_t now_ms = clock_->NowMs();
  ExpireLeases(now_ms);
  absl::Status status = CheckLease(image_id, lease_id, now_ms);
  if (!status.ok()) return status;
  if (overlap_.Find(image_id) != nullptr) {
    // Skipping would move the image behind the queue for every annotator it still needs: for
    // an overlap image it only gives this annotator's place back.
    lock.unlock();
    return Release(image_id, lease_id);
  }
  status = store_->SkipImage(image_id, lease_id, now_ms);
  if (!status.ok()) return status;
  leases_.Remove(image_id);
  pool_.Put(image_id, EntryFor(image_id, v1::IMAGE_STATE_SKIPPED, now_ms));
  return absl::OkStatus();
}

absl::Status LabelQueue::Release(int64_t image_id, const std::string& lease_id) {
  std::lock_guard<std::mutex> lock(mu_);
  const int64_t now_ms = clock_->NowMs();
  ExpireLeases(now_ms);
  absl::Status status = CheckLease(image_id, lease_id, now_ms);
  if (!status.ok()) return status;
  status = store_->DeleteLease(image_id, lease_id);
  if (!status.ok()) return status;
  if (overlap_.Find(image_id) != nullptr) {
    overlap_.RemoveLease(image_id, lease_id);
    RequeueOverlap(image_id);
    return absl::OkStatus();
  }
  leases_.Remove(image_id);
  absl::StatusOr<StoredImage> image = store_->GetImage(image_id, now_ms);
  pool_.Put(image_id, image.ok() ? EntryFor(image_id, image->state, image->skipped_ms)
                                 : EntryFor(image_id, v1::IMAGE_STATE_UNLABELED, 0));
  return absl::OkStatus();
}

void LabelQueue::AddImages(const std::vector<int64_t>& image_ids) {
  std::lock_guard<std::mutex> lock(mu_);
  for (int64_t image_id : image_ids) {
    if (leases_.Find(image_id, clock_->NowMs()) == nullptr && !pool_.Contains(image_id) &&
        !in_handout_.contains(image_id) && overlap_.Find(image_id) == nullptr) {
      pool_.Put(image_id, EntryFor(image_id, v1::IMAGE_STATE_UNLABELED, 0));
    }
  }
}

void LabelQueue::RemoveImages(const std::vector<int64_t>& image_ids) {
  std::lock_guard<std::mutex> lock(mu_);
  for (int64_t image_id : image_ids) {
    pool_.Remove(image_id);
    leases_.Remove(image_id);
    overlap_.Erase(image_id);
    auto score = scores_.find(image_id);
    if (score != scores_.end()) {
      if (score->second.has_embedding) --embedded_scores_;
      scores_.erase(score);
    }
  }
}

std::vector<int64_t> LabelQueue::Claim(const std::vector<int64_t>& image_ids) {
  std::lock_guard<std::mutex> lock(mu_);
  const int64_t now_ms = clock_->NowMs();
  std::vector<int64_t> claimed;
  for (int64_t image_id : image_ids) {
    if (!pool_.Contains(image_id) || in_handout_.contains(image_id) ||
        in_commit_.contains(image_id) || leases_.Find(image_id, now_ms) != nullptr ||
        overlap_.Find(image_id) != nullptr || options_.overlap.Selects(image_id)) {
      continue;
    }
    pool_.Remove(image_id);
    claimed.push_back(image_id);
  }
  return claimed;
}

void LabelQueue::PutScore(int64_t image_id, const QueueScore& score) {
  auto [it, inserted] = scores_.try_emplace(image_id, score);
  if (!inserted) {
    if (it->second.has_embedding) --embedded_scores_;
    it->second = score;
  }
  if (score.has_embedding) ++embedded_scores_;
}

void LabelQueue::SetScores(const std::vector<std::pair<int64_t, QueueScore>>& scores) {
  std::lock_guard<std::mutex> lock(mu_);
  if (scores.size() < pool_.size() / 4) {
    for (const auto& [image_id, score] : scores) {
      PutScore(image_id, score);
      std::optional<PoolEntry> entry = pool_.Get(image_id);
      if (entry.has_value() && entry->tier == PoolEntry::kUnlabeled) {
        entry->priority = score.uncertainty;
        pool_.Put(image_id, *entry);
      }
    }
    return;
  }
  // Most of the pool at once (the stored scores at start-up): rebuild the order in one pass
  // instead of moving every image in it.
  scores_.reserve(scores_.size() + scores.size());
  for (const auto& [image_id, score] : scores) PutScore(image_id, score);
  std::vector<std::pair<int64_t, PoolEntry>> entries = pool_.Entries();
  for (auto& [image_id, entry] : entries) {
    if (entry.tier != PoolEntry::kUnlabeled) continue;
    auto score = scores_.find(image_id);
    if (score != scores_.end()) entry.priority = score->second.uncertainty;
  }
  pool_.Assign(std::move(entries));
}

void LabelQueue::SetServingVersion(const std::string& version) {
  std::lock_guard<std::mutex> lock(mu_);
  serving_version_ = version;
}

void LabelQueue::SetBatchPicker(BatchPicker picker) {
  std::lock_guard<std::mutex> lock(mu_);
  picker_ = std::move(picker);
}

std::vector<int64_t> LabelQueue::RankedSnapshot(size_t limit) {
  std::lock_guard<std::mutex> lock(mu_);
  // After a promotion this walks the whole pool while annotators wait for mu_: read it in
  // place rather than popping and re-inserting every image.
  return pool_.Head(limit);
}

std::pair<size_t, size_t> LabelQueue::ScoredByServing() {
  std::lock_guard<std::mutex> lock(mu_);
  size_t scored = 0;
  // Overlap images with free places are in the pool (leased or not); the others are held.
  size_t waiting = pool_.size() + leases_.size() + (overlap_.empty() ? 0 : overlap_.CountFull());
  for (const auto& [image_id, score] : scores_) {
    if (score.model_version == serving_version_ &&
        (pool_.Contains(image_id) || leases_.Find(image_id, clock_->NowMs()) != nullptr)) {
      ++scored;
    }
  }
  return {scored, waiting};
}

size_t LabelQueue::Remaining() {
  std::lock_guard<std::mutex> lock(mu_);
  ExpireLeases(clock_->NowMs());
  return pool_.size();
}

}  // namespace labelloop
