#include "server/image_proto.h"

namespace labelloop {

v1::Image ToImageProto(const StoredImage& image) {
  v1::Image proto;
  proto.set_id(image.id);
  proto.set_uri(image.uri);
  proto.set_sha256(image.sha256);
  proto.set_size_bytes(image.size_bytes);
  proto.set_width(image.width);
  proto.set_height(image.height);
  proto.set_state(image.state);
  proto.set_split(image.split);
  proto.set_added_unix_ms(image.added_ms);
  proto.set_label_versions(image.label_versions);
  return proto;
}

}  // namespace labelloop
