#ifndef LABELLOOP_TRAINER_MODEL_VERSION_WRITER_H_
#define LABELLOOP_TRAINER_MODEL_VERSION_WRITER_H_

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "trainer/model_version.h"

namespace torch {
namespace nn {
class Module;
}  // namespace nn
}  // namespace torch

namespace labelloop {

struct WriteModelVersionOptions {
  // Called with the finished temporary folder just before it is renamed into place; an error
  // aborts the write. For tests that need a write to fail at its last moment.
  std::function<absl::Status(const std::string& temp_dir)> before_publish;
};

// Writes the module's weights and `info` as the next version in `models_dir` (created if
// missing): v<highest existing + 1>. Everything goes into `v<N>.tmp-XXXXXX/`, which is fsync'd
// and then renamed to `v<N>/` without replacing anything (another folder taking the name first
// moves us to N+1), and the models folder is fsync'd: after a crash at any point, `v<N>/` is
// either absent or complete. On error the temporary folder is removed. Returns `info` with the
// version, weights size and sha256 filled in. Leftover temporary folders of earlier crashes are
// removed first: one writer at a time.
absl::StatusOr<ModelVersionInfo> WriteModelVersion(const std::string& models_dir,
                                                   const torch::nn::Module& module,
                                                   ModelVersionInfo info,
                                                   const WriteModelVersionOptions& options = {});

}  // namespace labelloop

#endif  // LABELLOOP_TRAINER_MODEL_VERSION_WRITER_H_
