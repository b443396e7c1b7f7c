// Fuzzes config parsing and validation: a config file is text a person edits by hand.
#include <cstddef>
#include <cstdint>
#include <string>

#include "common/config_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  labelloop::ParseConfig(text, "fuzz.textproto").IgnoreError();
  return 0;
}
