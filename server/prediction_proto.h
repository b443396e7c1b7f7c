#ifndef LABELLOOP_SERVER_PREDICTION_PROTO_H_
#define LABELLOOP_SERVER_PREDICTION_PROTO_H_

#include <string>
#include <vector>

#include "google/protobuf/repeated_ptr_field.h"
#include "inference/serving_model.h"
#include "labelloop/v1/types.pb.h"

namespace labelloop {

// Appends predictions as API boxes, naming each class.
void AppendPredictionBoxes(const std::vector<Prediction>& predictions,
                           const std::vector<std::string>& class_names,
                           google::protobuf::RepeatedPtrField<v1::Box>* boxes);

}  // namespace labelloop

#endif  // LABELLOOP_SERVER_PREDICTION_PROTO_H_
