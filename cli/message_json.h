#ifndef LABELLOOP_CLI_MESSAGE_JSON_H_
#define LABELLOOP_CLI_MESSAGE_JSON_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "labelloop/v1/dataset.pb.h"
#include "labelloop/v1/queue.pb.h"
#include "labelloop/v1/review.pb.h"
#include "labelloop/v1/types.pb.h"
#include "nlohmann/json.hpp"

namespace labelloop {

// The CLI's JSON shapes of API messages. Written by hand rather than with protobuf's JSON
// printer because scripts want snake_case names, int64 as numbers, states as lowercase words
// ("labeled", not "IMAGE_STATE_LABELED") and boxes as [x1,y1,x2,y2] with a "class".
using Json = nlohmann::ordered_json;

std::string ImageStateName(v1::ImageState state);
// nullopt for a word that names no state.
std::optional<v1::ImageState> ParseImageState(absl::string_view name);

Json BoxToJson(const v1::Box& box);
Json ImageToJson(const v1::Image& image);
Json LabelToJson(const v1::Label& label);
Json QueueItemToJson(const v1::QueueItem& item);
Json ClassToJson(const v1::ClassInfo& class_info);
// "pending", "accepted", "rejected"; "human", "reviewer", "machine", "import".
std::string LabelStatusName(v1::LabelStatus status);
std::string LabelSourceName(v1::LabelSource source);
Json LabelVersionToJson(const v1::LabelVersion& label);

}  // namespace labelloop

#endif  // LABELLOOP_CLI_MESSAGE_JSON_H_
