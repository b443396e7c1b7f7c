#include "tests/inference/reference_tensors.h"

#include <torch/torch.h>

#include <fstream>
#include <iterator>
#include <stdexcept>
#include <vector>

namespace labelloop::testing {

const torch::Tensor& ReferenceData::at(const std::string& name) const {
  auto it = tensors.find(name);
  if (it == tensors.end()) throw std::runtime_error("reference has no tensor '" + name + "'");
  return it->second;
}

ReferenceData LoadReferenceData(const std::string& dir) {
  std::ifstream index_file(dir + "/index.json");
  if (!index_file) throw std::runtime_error("cannot open " + dir + "/index.json");
  ReferenceData data;
  data.meta = nlohmann::json::parse(index_file);
  for (const auto& [name, entry] : data.meta.at("tensors").items()) {
    const std::string path = dir + "/" + entry.at("file").get<std::string>();
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + path);
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::string dtype = entry.at("dtype");
    const auto scalar_type = dtype == "float32" ? torch::kFloat32
                             : dtype == "int64" ? torch::kInt64
                                                : throw std::runtime_error("dtype " + dtype);
    std::vector<int64_t> shape = entry.at("shape").get<std::vector<int64_t>>();
    auto tensor = torch::empty(shape, scalar_type);
    if (static_cast<size_t>(tensor.nbytes()) != bytes.size()) {
      throw std::runtime_error(path + ": size does not match shape of '" + name + "'");
    }
    // x86 and ARM hosts are little-endian, like the files.
    std::memcpy(tensor.data_ptr(), bytes.data(), bytes.size());
    data.tensors[name] = tensor;
  }
  return data;
}

}  // namespace labelloop::testing
