# Active-sampling scores: uncertainty, TTA consistency, k-center diversity and batch selection
# (pure C++, no torch), and the image scorer that runs the detector for them (torch).
add_library(labelloop_scoring STATIC
  ${CMAKE_CURRENT_LIST_DIR}/batch_selection.cc
  ${CMAKE_CURRENT_LIST_DIR}/expected_boxes.cc
  ${CMAKE_CURRENT_LIST_DIR}/image_score.cc
  ${CMAKE_CURRENT_LIST_DIR}/kcenter_greedy.cc
  ${CMAKE_CURRENT_LIST_DIR}/sampler_options.cc
  ${CMAKE_CURRENT_LIST_DIR}/tta_consistency.cc
  ${CMAKE_CURRENT_LIST_DIR}/uncertainty.cc
)
target_compile_options(labelloop_scoring PRIVATE ${LABELLOOP_WARNINGS})
target_link_libraries(labelloop_scoring
  PUBLIC labelloop_proto absl::status absl::statusor absl::span absl::strings)

# The detector run for sampling: detections with class probabilities, embeddings, TTA views.
add_library(labelloop_image_scorer STATIC
  ${CMAKE_CURRENT_LIST_DIR}/detection_probabilities.cc
  ${CMAKE_CURRENT_LIST_DIR}/image_scorer.cc
)
target_compile_options(labelloop_image_scorer PRIVATE ${LABELLOOP_WARNINGS})
target_link_libraries(labelloop_image_scorer PUBLIC labelloop_scoring labelloop_detector labelloop_torch)
