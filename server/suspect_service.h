#ifndef LABELLOOP_SERVER_SUSPECT_SERVICE_H_
#define LABELLOOP_SERVER_SUSPECT_SERVICE_H_

#include "common/clock.h"
#include "common/store.h"
#include "labelloop/v1/suspects.grpc.pb.h"
#include "server/suspect_scanner.h"

namespace labelloop {

class SuspectServiceImpl final : public v1::SuspectService::Service {
 public:
  SuspectServiceImpl(Store* store, const SuspectScanner* scanner, const Clock* clock)
      : store_(store), scanner_(scanner), clock_(clock) {}

  grpc::Status ListSuspectLabels(grpc::ServerContext* context,
                                 const v1::ListSuspectLabelsRequest* request,
                                 v1::ListSuspectLabelsResponse* response) override;
  grpc::Status ReviewSuspect(grpc::ServerContext* context, const v1::ReviewSuspectRequest* request,
                             v1::Suspect* response) override;

 private:
  Store* const store_;
  const SuspectScanner* const scanner_;  // Null when suspects.enabled is false.
  const Clock* const clock_;
};

}  // namespace labelloop

#endif  // LABELLOOP_SERVER_SUSPECT_SERVICE_H_
