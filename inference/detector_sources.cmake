# Sources of the torch-only detector core, shared by inference/CMakeLists.txt and the standalone
# LibTorch-only project in inference/standalone/.
set(LABELLOOP_DETECTOR_SOURCES
  box_linear_coder.cc
  detection_losses.cc
  fcos.cc
  fcos_anchors.cc
  fcos_head.cc
  fcos_loss.cc
  fcos_options.cc
  fcos_postprocess.cc
  feature_pyramid.cc
  frozen_batch_norm.cc
  image_transform.cc
  nms.cc
  resnet.cc
)
list(TRANSFORM LABELLOOP_DETECTOR_SOURCES PREPEND ${CMAKE_CURRENT_LIST_DIR}/)
