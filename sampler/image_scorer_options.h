#ifndef LABELLOOP_SAMPLER_IMAGE_SCORER_OPTIONS_H_
#define LABELLOOP_SAMPLER_IMAGE_SCORER_OPTIONS_H_

namespace labelloop {

// How ImageScorer runs the detector; torch-free so config code can fill it.
struct ImageScorerOptions {
  // Detections are kept down to this score for scoring (the detector's own score_thresh is for
  // label assist and is usually higher): uncertain objects live at low scores. Match it to
  // SamplerConfig.min_detection_score.
  double score_thresh = 0.05;
  // Test-time-augmentation views, off by default because each costs one more forward pass.
  bool flip_view = false;
  // 0: no rescale view. In (0, 1): the image shrunk by this factor and padded back to its size at
  // the bottom-right with the normalisation mean (so it becomes ~0 after normalisation, like the
  // batch padding). A plain resize would be undone by the detector's own resize to min_size;
  // shrinking inside the same canvas is what actually shows the model smaller objects.
  double rescale_factor = 0.0;
};

}  // namespace labelloop

#endif  // LABELLOOP_SAMPLER_IMAGE_SCORER_OPTIONS_H_
