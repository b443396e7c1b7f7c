#ifndef LABELLOOP_SERVER_SUSPECT_SCANNER_H_
#define LABELLOOP_SERVER_SUSPECT_SCANNER_H_

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/clock.h"
#include "common/store.h"
#include "inference/serving_model.h"
#include "labelloop/v1/config.pb.h"

namespace labelloop {

struct SuspectScanProgress {
  std::string model_version;
  int64_t checked = 0;
  int64_t total = 0;
  bool running = false;
};

// After each promotion, runs the new serving model over every labeled image on its own thread
// and stores what FindSuspects reports (StoreSuspects), a few images per transaction, so
// serving and labeling go on meanwhile. A promotion during a scan restarts it with the newer
// model. Labels submitted after a scan are checked by the next promotion's; a restart of the
// daemon does not resume a scan it interrupted. Thread-safe.
class SuspectScanner {
 public:
  SuspectScanner(Store* store, v1::SuspectConfig config, int64_t max_image_bytes,
                 const Clock* clock);
  // Stops after the image in progress.
  ~SuspectScanner();
  SuspectScanner(const SuspectScanner&) = delete;
  SuspectScanner& operator=(const SuspectScanner&) = delete;

  void OnPromotion(std::shared_ptr<const ServingModel> model);
  SuspectScanProgress Progress() const;
  // Blocks until no scan is pending or running (tests).
  void WaitIdle() const;

 private:
  void Run();
  // Scans with `model`; returns early when a newer model arrives or the scanner stops.
  void Scan(const std::shared_ptr<const ServingModel>& model);
  bool Superseded(const std::shared_ptr<const ServingModel>& model) const;

  Store* const store_;
  const v1::SuspectConfig config_;
  const int64_t max_image_bytes_;
  const Clock* const clock_;

  mutable std::mutex mu_;
  mutable std::condition_variable changed_;
  std::shared_ptr<const ServingModel> pending_;
  SuspectScanProgress progress_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace labelloop

#endif  // LABELLOOP_SERVER_SUSPECT_SCANNER_H_
