#include "server/prediction_proto.h"

namespace labelloop {

void AppendPredictionBoxes(const std::vector<Prediction>& predictions,
                           const std::vector<std::string>& class_names,
                           google::protobuf::RepeatedPtrField<v1::Box>* boxes) {
  for (const Prediction& p : predictions) {
    v1::Box* box = boxes->Add();
    box->set_x1(p.x1);
    box->set_y1(p.y1);
    box->set_x2(p.x2);
    box->set_y2(p.y2);
    box->set_score(p.score);
    if (p.class_index >= 0 && p.class_index < static_cast<int>(class_names.size())) {
      box->set_class_name(class_names[p.class_index]);
    }
  }
}

}  // namespace labelloop
