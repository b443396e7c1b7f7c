#ifndef LABELLOOP_INFERENCE_PTH_UNPICKLER_H_
#define LABELLOOP_INFERENCE_PTH_UNPICKLER_H_

#include <c10/core/ScalarType.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace labelloop {

// A restricted pickle reader for the files torch.save writes. It is a data parser, not a
// Python VM: it never imports or calls anything. The few callables a state dict needs
// (collections.OrderedDict, torch._utils._rebuild_tensor_v2, _rebuild_parameter) are
// interpreted; any other global becomes an opaque object, which is fine as long as no tensor
// is needed from it. Why our own: LibTorch 1.13's torch::pickle_load turns
// collections.OrderedDict -- the type of every state_dict -- into None.

// A storage named by a persistent id: ('storage', torch.FloatStorage, key, location, numel...).
struct PickleStorageRef {
  std::string key;
  c10::ScalarType dtype = c10::ScalarType::Undefined;
  int64_t numel = 0;
};

// A tensor still to be materialised from its storage once the storages are available.
struct PickleTensorRef {
  PickleStorageRef storage;
  int64_t storage_offset = 0;
  std::vector<int64_t> sizes;
  std::vector<int64_t> strides;
};

struct PickleValue;
using PickleValuePtr = std::shared_ptr<PickleValue>;

struct PickleValue {
  enum class Kind {
    kNone,
    kBool,
    kInt,
    kFloat,
    kString,
    kBytes,
    kTuple,
    kList,
    kDict,
    kGlobal,
    kStorage,
    kTensor,
    kObject,
    kBigInt,
  };
  Kind kind = Kind::kNone;
  int64_t int_value = 0;   // kBool, kInt
  double float_value = 0;  // kFloat
  // kString, kBytes; kGlobal/kObject: "module.name"; kBigInt: little-endian two's complement.
  std::string text;
  std::vector<PickleValuePtr> items;  // kTuple, kList; kDict: key, value, key, value, ...
  PickleStorageRef storage;           // kStorage
  PickleTensorRef tensor;             // kTensor
  int depth = 0;  // nesting below this value; bounded so destruction cannot overflow
};

// Runs one pickle starting at `data[*offset]` and returns the value it leaves; on success
// `*offset` is just past its STOP opcode (legacy files hold several pickles back to back).
// Errors say what is wrong and at which byte.
absl::StatusOr<PickleValuePtr> Unpickle(std::string_view data, size_t* offset);

// "torch.FloatStorage" -> kFloat, ... ; Undefined for names we do not know.
c10::ScalarType StorageTypeToScalarType(const std::string& name);

}  // namespace labelloop

#endif  // LABELLOOP_INFERENCE_PTH_UNPICKLER_H_
