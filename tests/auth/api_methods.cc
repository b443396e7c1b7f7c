#include "tests/auth/api_methods.h"

#include "absl/strings/match.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor_database.h"

namespace labelloop::testing {

std::vector<ApiMethod> LabelloopApiMethods() {
  std::vector<std::string> files;
  google::protobuf::DescriptorPool::internal_generated_database()->FindAllFileNames(&files);
  std::vector<ApiMethod> methods;
  for (const std::string& name : files) {
    if (!absl::StartsWith(name, "labelloop/")) continue;
    const google::protobuf::FileDescriptor* file =
        google::protobuf::DescriptorPool::generated_pool()->FindFileByName(name);
    if (file == nullptr) continue;
    for (int s = 0; s < file->service_count(); ++s) {
      const google::protobuf::ServiceDescriptor* service = file->service(s);
      for (int m = 0; m < service->method_count(); ++m) {
        const google::protobuf::MethodDescriptor* method = service->method(m);
        methods.push_back({"/" + service->full_name() + "/" + method->name(),
                           method->client_streaming(), method->server_streaming()});
      }
    }
  }
  return methods;
}

}  // namespace labelloop::testing
