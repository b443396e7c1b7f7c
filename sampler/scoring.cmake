# Active-sampling scores: uncertainty, TTA consistency, k-center diversity and batch selection
# (pure C++, no torch), and the image scorer that runs the detector for them (torch).
add_library(labelloop_scoring STATIC
  ${CMAKE_CURRENT_LIST_DIR}/kcenter_greedy.cc
  ${CMAKE_CURRENT_LIST_DIR}/tta_consistency.cc
  ${CMAKE_CURRENT_LIST_DIR}/uncertainty.cc
)
target_compile_options(labelloop_scoring PRIVATE ${LABELLOOP_WARNINGS})
target_link_libraries(labelloop_scoring PUBLIC absl::status absl::statusor absl::span absl::strings)
