#include "inference/safetensors.h"

#include <ATen/ATen.h>
#include <c10/util/Exception.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "inference/checkpoint_file.h"

namespace labelloop {
namespace {

// The reference implementation refuses headers over 100 MB; so do we, before allocating.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;
constexpr const char* kMetadataKey = "__metadata__";

struct DtypeName {
  const char* name;
  at::ScalarType type;
};
constexpr DtypeName kDtypes[] = {
    {"F64", at::kDouble}, {"F32", at::kFloat}, {"F16", at::kHalf},  {"BF16", at::kBFloat16},
    {"I64", at::kLong},   {"I32", at::kInt},   {"I16", at::kShort}, {"I8", at::kChar},
    {"U8", at::kByte},    {"BOOL", at::kBool},
};

bool DtypeFromName(const std::string& name, at::ScalarType* type) {
  for (const auto& d : kDtypes) {
    if (name == d.name) {
      *type = d.type;
      return true;
    }
  }
  return false;
}

const char* NameOfDtype(at::ScalarType type) {
  for (const auto& d : kDtypes) {
    if (type == d.type) return d.name;
  }
  return nullptr;
}

absl::Status TensorError(const std::string& name, absl::string_view what) {
  return absl::DataLossError(absl::StrCat("tensor \"", name, "\": ", what));
}

struct Entry {
  std::string name;
  at::ScalarType dtype;
  std::vector<int64_t> shape;
  uint64_t begin = 0;
  uint64_t end = 0;
};

absl::StatusOr<Entry> ParseEntry(const std::string& name, const nlohmann::json& value) {
  Entry entry;
  entry.name = name;
  if (!value.is_object()) return TensorError(name, "header entry is not an object");
  auto dtype = value.find("dtype");
  if (dtype == value.end() || !dtype->is_string()) return TensorError(name, "no dtype");
  if (!DtypeFromName(dtype->get<std::string>(), &entry.dtype)) {
    return TensorError(name, absl::StrCat("unsupported dtype ", dtype->get<std::string>()));
  }
  auto shape = value.find("shape");
  if (shape == value.end() || !shape->is_array()) return TensorError(name, "no shape");
  uint64_t numel = 1;
  for (const auto& dim : *shape) {
    if (!dim.is_number_unsigned()) return TensorError(name, "shape is not non-negative ints");
    const uint64_t d = dim.get<uint64_t>();
    if (d > static_cast<uint64_t>(INT64_MAX) || __builtin_mul_overflow(numel, d, &numel)) {
      return TensorError(name, "shape overflows");
    }
    entry.shape.push_back(static_cast<int64_t>(d));
  }
  auto offsets = value.find("data_offsets");
  if (offsets == value.end() || !offsets->is_array() || offsets->size() != 2 ||
      !(*offsets)[0].is_number_unsigned() || !(*offsets)[1].is_number_unsigned()) {
    return TensorError(name, "data_offsets is not [begin, end]");
  }
  entry.begin = (*offsets)[0].get<uint64_t>();
  entry.end = (*offsets)[1].get<uint64_t>();
  if (entry.begin > entry.end) return TensorError(name, "data_offsets begin after they end");
  uint64_t bytes = 0;
  if (__builtin_mul_overflow(numel, c10::elementSize(entry.dtype), &bytes) ||
      bytes != entry.end - entry.begin) {
    return TensorError(name, absl::StrCat("has ", entry.end - entry.begin,
                                          " bytes of data, its shape and dtype need ", bytes));
  }
  return entry;
}

at::Tensor TensorFromData(const Entry& entry, const char* data) {
  if (entry.dtype == at::kBool) {
    // Bytes other than 0 and 1 are undefined behaviour in a bool tensor; read them as bytes.
    at::Tensor bytes = at::empty(entry.shape, at::TensorOptions().dtype(at::kByte));
    std::memcpy(bytes.data_ptr(), data, entry.end - entry.begin);
    return bytes.ne(0);
  }
  at::Tensor out = at::empty(entry.shape, at::TensorOptions().dtype(entry.dtype));
  if (entry.end > entry.begin) std::memcpy(out.data_ptr(), data, entry.end - entry.begin);
  return out;
}

// What both the in-memory and the streaming writer need: the header bytes (8-byte length and
// JSON padded with spaces to a multiple of 8, as the reference writer does, so the data is
// aligned) and the CPU contiguous tensors in order.
struct Prepared {
  std::string header;
  std::vector<at::Tensor> tensors;
};

absl::StatusOr<Prepared> Prepare(const NamedTensors& tensors, const SafetensorsMetadata& metadata) {
  Prepared out;
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) {
    nlohmann::ordered_json meta = nlohmann::ordered_json::object();
    for (const auto& [key, value] : metadata) meta[key] = value;
    header[kMetadataKey] = std::move(meta);
  }
  std::set<std::string> names;
  uint64_t offset = 0;
  for (const auto& [name, tensor] : tensors) {
    if (name == kMetadataKey) return absl::InvalidArgumentError("tensor named __metadata__");
    if (!names.insert(name).second) {
      return absl::InvalidArgumentError(absl::StrCat("duplicate tensor name \"", name, "\""));
    }
    if (!tensor.defined()) {
      return absl::InvalidArgumentError(absl::StrCat("tensor \"", name, "\" is undefined"));
    }
    const char* dtype = NameOfDtype(tensor.scalar_type());
    if (dtype == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("tensor \"", name, "\" has dtype ",
                                                     c10::toString(tensor.scalar_type()),
                                                     ", which safetensors cannot store"));
    }
    at::Tensor cpu = tensor.detach().to(at::kCPU).contiguous();
    const uint64_t bytes = cpu.numel() * cpu.element_size();
    header[name] = {
        {"dtype", dtype}, {"shape", cpu.sizes().vec()}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
    out.tensors.push_back(std::move(cpu));
  }
  std::string json = header.dump();
  json.append((8 - json.size() % 8) % 8, ' ');
  const uint64_t n = json.size();
  out.header.resize(8);
  for (int i = 0; i < 8; ++i) out.header[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  out.header += json;
  return out;
}

absl::Status Emit(const NamedTensors& tensors, const SafetensorsMetadata& metadata,
                  const std::function<absl::Status(std::string_view)>& sink) {
  absl::StatusOr<Prepared> prepared;
  try {
    prepared = Prepare(tensors, metadata);
  } catch (const c10::Error& e) {
    return absl::InternalError(
        absl::StrCat("cannot copy tensors to the CPU: ", e.what_without_backtrace()));
  }
  if (!prepared.ok()) return prepared.status();
  if (auto s = sink(prepared->header); !s.ok()) return s;
  for (const at::Tensor& t : prepared->tensors) {
    const std::string_view bytes(static_cast<const char*>(t.data_ptr()),
                                 t.numel() * t.element_size());
    if (auto s = sink(bytes); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<SafetensorsContents> ParseSafetensors(std::string_view bytes) {
  if (bytes.size() < 8) {
    return absl::DataLossError(
        absl::StrCat("file has ", bytes.size(), " bytes, too short for a safetensors header"));
  }
  uint64_t header_size = 0;
  for (int i = 0; i < 8; ++i) {
    header_size |= static_cast<uint64_t>(static_cast<uint8_t>(bytes[i])) << (8 * i);
  }
  if (header_size > kMaxHeaderBytes) {
    return absl::DataLossError(
        absl::StrCat("header length ", header_size, " is implausible; not a safetensors file"));
  }
  if (header_size > bytes.size() - 8) {
    return absl::DataLossError(absl::StrCat("header length ", header_size, " exceeds the ",
                                            bytes.size() - 8,
                                            " bytes after it; the file is truncated"));
  }
  const std::string_view header_text = bytes.substr(8, header_size);
  if (header_text.empty() || header_text.front() != '{') {
    return absl::DataLossError("header is not a JSON object; not a safetensors file");
  }
  const nlohmann::json header =
      nlohmann::json::parse(header_text, /*cb=*/nullptr, /*allow_exceptions=*/false);
  if (header.is_discarded() || !header.is_object()) {
    return absl::DataLossError("header is not valid JSON");
  }
  const std::string_view data = bytes.substr(8 + header_size);

  SafetensorsContents out;
  std::vector<Entry> entries;
  for (const auto& [key, value] : header.items()) {
    if (key == kMetadataKey) {
      if (!value.is_object()) return absl::DataLossError("__metadata__ is not an object");
      for (const auto& [mkey, mvalue] : value.items()) {
        if (!mvalue.is_string()) {
          return absl::DataLossError(absl::StrCat("metadata \"", mkey, "\" is not a string"));
        }
        out.metadata[mkey] = mvalue.get<std::string>();
      }
      continue;
    }
    auto entry = ParseEntry(key, value);
    if (!entry.ok()) return entry.status();
    entries.push_back(*std::move(entry));
  }
  // The header is a JSON object, so its order is not meaningful; data order is.
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  uint64_t expected = 0;
  for (const Entry& e : entries) {
    if (e.end > data.size()) {
      return TensorError(e.name, absl::StrCat("data_offsets [", e.begin, ", ", e.end,
                                              "] run past the end of the data (", data.size(),
                                              " bytes); the file is truncated"));
    }
    if (e.begin != expected) {
      return TensorError(e.name, e.begin < expected ? "overlaps the previous tensor's data"
                                                    : "leaves a gap before its data");
    }
    expected = e.end;
  }
  if (expected != data.size()) {
    return absl::DataLossError(
        absl::StrCat(data.size() - expected, " bytes after the last tensor belong to no tensor"));
  }
  out.tensors.reserve(entries.size());
  for (const Entry& e : entries) {
    out.tensors.emplace_back(e.name, TensorFromData(e, data.data() + e.begin));
  }
  return out;
}

absl::StatusOr<SafetensorsContents> ReadSafetensors(const std::string& path) {
  auto bytes = ReadCheckpointFile(path);
  if (!bytes.ok()) return bytes.status();
  absl::StatusOr<SafetensorsContents> contents;
  try {
    contents = ParseSafetensors(*bytes);
  } catch (const std::exception& e) {  // c10::Error or bad_alloc; never abort the daemon
    contents = absl::InternalError(e.what());
  }
  if (!contents.ok()) {
    return absl::Status(contents.status().code(),
                        absl::StrCat("cannot read safetensors checkpoint ", path, ": ",
                                     contents.status().message()));
  }
  return contents;
}

absl::StatusOr<std::string> SerializeSafetensors(const NamedTensors& tensors,
                                                 const SafetensorsMetadata& metadata) {
  std::string out;
  absl::Status status = Emit(tensors, metadata, [&out](std::string_view bytes) {
    out.append(bytes);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return out;
}

absl::Status WriteSafetensors(const std::string& path, const NamedTensors& tensors,
                              const SafetensorsMetadata& metadata) {
  AtomicFileWriter writer;
  if (auto s = writer.Open(path); !s.ok()) return s;
  absl::Status status =
      Emit(tensors, metadata, [&writer](std::string_view bytes) { return writer.Write(bytes); });
  if (!status.ok()) {
    return absl::Status(status.code(),
                        absl::StrCat("cannot write checkpoint ", path, ": ", status.message()));
  }
  return writer.Commit();
}

}  // namespace labelloop
