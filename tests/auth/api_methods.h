#ifndef LABELLOOP_TESTS_AUTH_API_METHODS_H_
#define LABELLOOP_TESTS_AUTH_API_METHODS_H_

#include <string>
#include <vector>

namespace labelloop::testing {

struct ApiMethod {
  // "/labelloop.v1.QueueService/GetNextBatch"
  std::string full_name;
  bool client_streaming = false;
  bool server_streaming = false;
};

// Every method of every service in the labelloop .proto files linked into this binary (link
// labelloop_proto whole, see tests/auth/CMakeLists.txt), read from protobuf's generated
// descriptor database: a new service or RPC is covered without editing a list.
std::vector<ApiMethod> LabelloopApiMethods();

}  // namespace labelloop::testing

#endif  // LABELLOOP_TESTS_AUTH_API_METHODS_H_
