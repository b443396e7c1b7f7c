#ifndef LABELLOOP_SERVER_TRAINING_ROUND_H_
#define LABELLOOP_SERVER_TRAINING_ROUND_H_

#include "common/store.h"
#include "labelloop/v1/config.pb.h"
#include "server/model_registry.h"
#include "server/training_scheduler.h"

namespace labelloop {

// A training round as the daemon runs it: train on the accepted labels (warm-starting from the
// serving model unless asked not to), record the new version, then promote or reject it by the
// promotion policy. Training itself never touches the serving model; only a successful
// promotion swaps it.
RoundRunner MakeTrainingRoundRunner(const v1::DaemonConfig& config, Store* store,
                                    ModelRegistry* registry);

}  // namespace labelloop

#endif  // LABELLOOP_SERVER_TRAINING_ROUND_H_
