#ifndef LABELLOOP_SERVER_IMAGE_PROTO_H_
#define LABELLOOP_SERVER_IMAGE_PROTO_H_

#include "common/store.h"
#include "labelloop/v1/types.pb.h"

namespace labelloop {

// The API view of a stored image.
v1::Image ToImageProto(const StoredImage& image);

}  // namespace labelloop

#endif  // LABELLOOP_SERVER_IMAGE_PROTO_H_
