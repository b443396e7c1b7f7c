#include "inference/pth_reader.h"

#include <ATen/ATen.h>
#include <c10/util/Exception.h>
#include <caffe2/serialize/inline_container.h>

#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "inference/checkpoint_file.h"
#include "inference/pth_unpickler.h"

namespace labelloop {
namespace {

using Kind = PickleValue::Kind;

// Returns the storage's bytes as a flat 1-D tensor of its dtype, or an error.
using StorageSource = std::function<absl::StatusOr<at::Tensor>(const PickleStorageRef&)>;

absl::Status Corrupt(absl::string_view what) { return absl::DataLossError(std::string(what)); }

// Checks that a (size, stride, offset) view stays inside its storage, so a corrupt file can
// never make us read out of bounds.
absl::Status CheckViewInBounds(const PickleTensorRef& ref, int64_t storage_numel) {
  if (ref.storage_offset < 0) return Corrupt("negative storage offset");
  int64_t last = ref.storage_offset;
  for (size_t i = 0; i < ref.sizes.size(); ++i) {
    if (ref.sizes[i] < 0 || ref.strides[i] < 0) return Corrupt("negative size or stride");
    if (ref.sizes[i] == 0) return absl::OkStatus();  // empty tensor: reads nothing
  }
  for (size_t i = 0; i < ref.sizes.size(); ++i) {
    int64_t step = 0;
    if (__builtin_mul_overflow(ref.sizes[i] - 1, ref.strides[i], &step) ||
        __builtin_add_overflow(last, step, &last)) {
      return Corrupt("tensor view overflows");
    }
  }
  if (last >= storage_numel) {
    return Corrupt(
        absl::StrCat("tensor view reaches element ", last, " of a storage of ", storage_numel));
  }
  return absl::OkStatus();
}

absl::StatusOr<at::Tensor> Materialize(const PickleTensorRef& ref, const StorageSource& source,
                                       std::map<std::string, at::Tensor>& cache) {
  auto it = cache.find(ref.storage.key);
  if (it == cache.end()) {
    auto storage = source(ref.storage);
    if (!storage.ok()) return storage.status();
    it = cache.emplace(ref.storage.key, *std::move(storage)).first;
  }
  const at::Tensor& storage = it->second;
  if (storage.scalar_type() != ref.storage.dtype) {
    return Corrupt(absl::StrCat("storage ", ref.storage.key, " is used with two dtypes"));
  }
  if (auto s = CheckViewInBounds(ref, storage.numel()); !s.ok()) return s;
  at::Tensor view = storage.as_strided(ref.sizes, ref.strides, ref.storage_offset);
  // The usual case, a tensor that is its whole storage, needs no copy; views into a shared or
  // larger storage are copied out so that tensors never alias each other.
  if (ref.storage_offset == 0 && view.numel() == storage.numel() && view.is_contiguous()) {
    return view;
  }
  return view.clone(at::MemoryFormat::Contiguous);
}

absl::Status CheckStorageSize(size_t size, const PickleStorageRef& ref) {
  const size_t element = c10::elementSize(ref.dtype);
  if (static_cast<uint64_t>(ref.numel) > size / element) {
    return Corrupt(
        absl::StrCat("storage ", ref.key, " has ", size, " bytes, needs ", ref.numel * element));
  }
  return absl::OkStatus();
}

// Byte string -> flat tensor of `dtype` with `numel` elements (little-endian host assumed, as
// torch.save writes little-endian on every platform we run on).
absl::StatusOr<at::Tensor> TensorFromBytes(const void* data, size_t size,
                                           const PickleStorageRef& ref) {
  if (auto s = CheckStorageSize(size, ref); !s.ok()) return s;
  at::Tensor out = at::empty({ref.numel}, at::TensorOptions().dtype(ref.dtype));
  if (ref.numel > 0) std::memcpy(out.data_ptr(), data, ref.numel * c10::elementSize(ref.dtype));
  return out;
}

// Wraps a zip record's buffer without copying it; the tensor takes ownership of the buffer.
absl::StatusOr<at::Tensor> TensorFromRecord(at::DataPtr data, size_t size,
                                            const PickleStorageRef& ref) {
  if (auto s = CheckStorageSize(size, ref); !s.ok()) return s;
  if (ref.numel == 0 || data.get() == nullptr ||
      reinterpret_cast<uintptr_t>(data.get()) % c10::elementSize(ref.dtype) != 0) {
    return TensorFromBytes(data.get(), size, ref);  // nothing to share, or misaligned: copy
  }
  auto owner = std::make_shared<at::DataPtr>(std::move(data));
  return at::from_blob(
      owner->get(), {ref.numel}, [owner](void*) mutable { owner.reset(); },
      at::TensorOptions().dtype(ref.dtype));
}

const PickleValue* FindKey(const PickleValue& dict, const char* key) {
  for (size_t i = 0; i + 1 < dict.items.size(); i += 2) {
    const PickleValue& k = *dict.items[i];
    if (k.kind == Kind::kString && k.text == key) return dict.items[i + 1].get();
  }
  return nullptr;
}

// Unwraps {"state_dict": {...}} / {"model": {...}} as training scripts save them.
const PickleValue* FindStateDict(const PickleValue& root) {
  if (root.kind != Kind::kDict) return nullptr;
  for (size_t i = 1; i < root.items.size(); i += 2) {
    if (root.items[i]->kind == Kind::kTensor) return &root;
  }
  for (const char* key : {"state_dict", "model"}) {
    const PickleValue* inner = FindKey(root, key);
    if (inner != nullptr && inner->kind == Kind::kDict) return inner;
  }
  return root.items.empty() ? &root : nullptr;
}

absl::StatusOr<NamedTensors> ToNamedTensors(const PickleValue& root, const StorageSource& source) {
  const PickleValue* dict = FindStateDict(root);
  if (dict == nullptr) return Corrupt("the file does not hold a state dict (a dict of tensors)");
  NamedTensors out;
  std::map<std::string, at::Tensor> cache;
  for (size_t i = 0; i + 1 < dict->items.size(); i += 2) {
    const PickleValue& key = *dict->items[i];
    const PickleValue& value = *dict->items[i + 1];
    if (key.kind != Kind::kString) return Corrupt("a state dict key is not a string");
    if (value.kind != Kind::kTensor) {
      return absl::InvalidArgumentError(
          absl::StrCat("state dict entry \"", key.text, "\" is not a tensor"));
    }
    auto tensor = Materialize(value.tensor, source, cache);
    if (!tensor.ok()) {
      return absl::Status(tensor.status().code(),
                          absl::StrCat("tensor \"", key.text, "\": ", tensor.status().message()));
    }
    out.emplace_back(key.text, *std::move(tensor));
  }
  return out;
}

// Reads records straight from the file, so the archive is never held in memory whole.
absl::StatusOr<NamedTensors> ReadZip(const std::string& path) {
  caffe2::serialize::PyTorchStreamReader reader(path);  // throws c10::Error if corrupt
  auto [pickle_data, pickle_size] = reader.getRecord("data.pkl");
  const std::string_view pickle(static_cast<const char*>(pickle_data.get()), pickle_size);
  size_t offset = 0;
  auto root = Unpickle(pickle, &offset);
  if (!root.ok()) return root.status();
  StorageSource source = [&reader](const PickleStorageRef& ref) -> absl::StatusOr<at::Tensor> {
    const std::string record = "data/" + ref.key;
    if (!reader.hasRecord(record)) return Corrupt(absl::StrCat("missing record ", record));
    auto [data, size] = reader.getRecord(record);
    return TensorFromRecord(std::move(data), size, ref);
  };
  return ToNamedTensors(**root, source);
}

// The pre-1.6 format: pickles of the magic number, the protocol version, system info, the
// object and the list of storage keys, then each storage as an int64 element count and its
// raw bytes, in that list's order.
absl::StatusOr<NamedTensors> ReadLegacy(const std::string& bytes) {
  static constexpr unsigned char kMagic[] = {0x6c, 0xfc, 0x9c, 0x46, 0xf9,
                                             0x20, 0x6a, 0xa8, 0x50, 0x19};
  const std::string_view data(bytes);
  size_t offset = 0;
  auto magic = Unpickle(data, &offset);
  if (!magic.ok() || (*magic)->kind != Kind::kBigInt ||
      (*magic)->text != std::string_view(reinterpret_cast<const char*>(kMagic), sizeof(kMagic))) {
    return Corrupt("not a PyTorch file (neither a zip archive nor the legacy format)");
  }
  auto protocol = Unpickle(data, &offset);
  if (!protocol.ok()) return protocol.status();
  if ((*protocol)->kind != Kind::kInt || (*protocol)->int_value != 1001) {
    return Corrupt("unsupported legacy protocol version");
  }
  auto sys_info = Unpickle(data, &offset);
  if (!sys_info.ok()) return sys_info.status();
  if ((*sys_info)->kind == Kind::kDict) {
    const PickleValue* little = FindKey(**sys_info, "little_endian");
    if (little != nullptr && little->kind == Kind::kBool && !little->int_value) {
      return absl::UnimplementedError("big-endian legacy files are not supported");
    }
  }
  auto root = Unpickle(data, &offset);
  if (!root.ok()) return root.status();
  auto keys = Unpickle(data, &offset);
  if (!keys.ok()) return keys.status();
  if ((*keys)->kind != Kind::kList) return Corrupt("legacy storage key list is missing");

  // Storage dtypes come from the object's references; the raw section has only sizes.
  std::map<std::string, c10::ScalarType> dtypes;
  const PickleValue* dict = FindStateDict(**root);
  if (dict != nullptr) {
    for (size_t i = 1; i < dict->items.size(); i += 2) {
      const PickleValue& v = *dict->items[i];
      if (v.kind == Kind::kTensor) dtypes[v.tensor.storage.key] = v.tensor.storage.dtype;
    }
  }
  std::map<std::string, std::pair<size_t, int64_t>> spans;  // key -> (offset, numel)
  for (const auto& key : (*keys)->items) {
    if (key->kind != Kind::kString) return Corrupt("legacy storage key is not a string");
    if (data.size() - offset < 8) return Corrupt("file ends inside the storage section");
    int64_t numel = 0;
    std::memcpy(&numel, data.data() + offset, 8);
    offset += 8;
    auto dtype = dtypes.find(key->text);
    if (dtype == dtypes.end()) return Corrupt(absl::StrCat("storage ", key->text, " is unused"));
    const uint64_t element = c10::elementSize(dtype->second);
    if (numel < 0 || static_cast<uint64_t>(numel) > (data.size() - offset) / element) {
      return Corrupt("file ends inside the storage section");
    }
    spans[key->text] = {offset, numel};
    offset += numel * element;
  }
  StorageSource source = [&](const PickleStorageRef& ref) -> absl::StatusOr<at::Tensor> {
    auto it = spans.find(ref.key);
    if (it == spans.end()) return Corrupt(absl::StrCat("missing storage ", ref.key));
    const auto [start, numel] = it->second;
    if (numel < ref.numel) return Corrupt(absl::StrCat("storage ", ref.key, " is too short"));
    return TensorFromBytes(data.data() + start, numel * c10::elementSize(ref.dtype), ref);
  };
  return ToNamedTensors(**root, source);
}

}  // namespace

bool LooksLikeZip(std::string_view prefix) {
  return prefix.size() >= 4 && prefix.substr(0, 4) == std::string_view("PK\x03\x04", 4);
}

absl::StatusOr<NamedTensors> ReadPth(const std::string& path) {
  auto prefix = ReadCheckpointFilePrefix(path, 4);
  if (!prefix.ok()) return prefix.status();
  absl::StatusOr<NamedTensors> result;
  try {
    if (LooksLikeZip(*prefix)) {
      result = ReadZip(path);
    } else {
      auto bytes = ReadCheckpointFile(path);
      if (!bytes.ok()) return bytes.status();
      result = ReadLegacy(*bytes);
    }
  } catch (const c10::Error& e) {
    // PyTorchStreamReader reports a truncated or corrupt archive by throwing.
    result = absl::DataLossError(e.what_without_backtrace());
  } catch (const std::exception& e) {
    result = absl::DataLossError(e.what());
  }
  if (!result.ok()) {
    return absl::Status(
        result.status().code(),
        absl::StrCat("cannot read PyTorch checkpoint ", path, ": ", result.status().message()));
  }
  return result;
}

}  // namespace labelloop
