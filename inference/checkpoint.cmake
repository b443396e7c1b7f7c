# Checkpoint I/O: torch.save (.pth) reading, safetensors reading and writing, and loading a
# state dict into any torch::nn::Module. Needs LibTorch, abseil and header-only nlohmann_json;
# no protobuf, gRPC or OpenCV, so it builds wherever the detector core does.
add_library(labelloop_checkpoint STATIC
  ${CMAKE_CURRENT_LIST_DIR}/checkpoint.cc
  ${CMAKE_CURRENT_LIST_DIR}/checkpoint_file.cc
  ${CMAKE_CURRENT_LIST_DIR}/checkpoint_metadata.cc
  ${CMAKE_CURRENT_LIST_DIR}/pth_reader.cc
  ${CMAKE_CURRENT_LIST_DIR}/pth_unpickler.cc
  ${CMAKE_CURRENT_LIST_DIR}/safetensors.cc
  ${CMAKE_CURRENT_LIST_DIR}/state_dict.cc
)
target_link_libraries(labelloop_checkpoint
  PUBLIC labelloop_torch absl::status absl::statusor
  PRIVATE absl::strings nlohmann_json::nlohmann_json)
target_compile_options(labelloop_checkpoint PRIVATE ${LABELLOOP_WARNINGS})
