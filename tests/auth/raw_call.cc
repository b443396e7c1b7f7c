#include "tests/auth/raw_call.h"

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/sync_stream.h>

#include "absl/time/clock.h"

namespace labelloop::testing {

RawCallResult CallWithEmptyRequest(const std::shared_ptr<grpc::Channel>& channel,
                                   const std::string& full_method, const std::string& token,
                                   bool server_streaming, absl::Duration deadline) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + deadline));
  if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
  // On the wire every kind of call is a stream of messages each way; a bidi stream that sends
  // one message and half-closes is exactly a unary or server-streaming call.
  grpc::internal::RpcMethod method(full_method.c_str(), grpc::internal::RpcMethod::BIDI_STREAMING);
  std::unique_ptr<grpc::ClientReaderWriter<grpc::ByteBuffer, grpc::ByteBuffer>> stream(
      grpc::internal::ClientReaderWriterFactory<grpc::ByteBuffer, grpc::ByteBuffer>::Create(
          channel.get(), method, &context));
  grpc::Slice empty("", 0);
  grpc::ByteBuffer request(&empty, 1);
  stream->Write(request);
  stream->WritesDone();
  RawCallResult result;
  grpc::ByteBuffer response;
  if (stream->Read(&response)) {
    result.got_message = true;
    if (server_streaming) context.TryCancel();
    while (stream->Read(&response)) {
    }
  }
  result.status = stream->Finish();
  const auto& trailers = context.GetServerTrailingMetadata();
  if (auto it = trailers.find("retry-after-ms"); it != trailers.end()) {
    result.retry_after_ms = std::string(it->second.data(), it->second.size());
  }
  return result;
}

}  // namespace labelloop::testing
