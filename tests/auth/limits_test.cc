// Every configured limit, over real gRPC against labelloopd: message size, image bytes and pixels
// (a decompression bomb refused from its header, in uploads and in Predict), boxes per image, batch
// size, open streams (and a cancelled stream giving its slot back), and the per-caller request
// rate.

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "labelloop/v1/dataset.grpc.pb.h"
#include "labelloop/v1/model.grpc.pb.h"
#include "labelloop/v1/queue.grpc.pb.h"
#include "tests/auth/raw_call.h"
#include "tests/testing/test_daemon.h"
#include "tests/testing/test_images.h"

namespace labelloop::testing {
namespace {

using ::testing::HasSubstr;

uint32_t Crc32(const std::string& bytes) {
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char byte : bytes) {
    crc ^= byte;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

std::string BigEndian32(uint32_t value) {
  return {static_cast<char>(value >> 24), static_cast<char>(value >> 16),
          static_cast<char>(value >> 8), static_cast<char>(value)};
}

// A 57-byte PNG: signature, an IHDR claiming width x height RGB pixels, and a truncated IDAT.
// Decoding it would allocate width x height x 3 bytes before finding the data missing.
std::string PngBomb(uint32_t width, uint32_t height) {
  std::string ihdr =
      "IHDR" + BigEndian32(width) + BigEndian32(height) + std::string("\x08\x02\x00\x00\x00", 5);
  std::string idat = "IDAT" + std::string("\x78\x9c", 2);
  return std::string("\x89PNG\r\n\x1a\n", 8) + BigEndian32(13) + ihdr + BigEndian32(Crc32(ihdr)) +
         BigEndian32(2) + idat + BigEndian32(Crc32(idat));
}

grpc::ClientContext* WithDeadline(grpc::ClientContext* context) {
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return context;
}

class LimitsTest : public ::testing::Test {
 protected:
  void StartDaemon(const std::string& limits) {
    TestDaemonOptions options;
    options.config_text = absl::StrCat("limits { ", limits, " }\n");
    absl::StatusOr<std::unique_ptr<TestDaemon>> daemon = TestDaemon::Start(options);
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    daemon_ = *std::move(daemon);
    channel_ = daemon_->NewChannel();
  }

  // Uploads `images` (name, bytes) in one AddImages stream.
  grpc::Status AddImages(const std::vector<std::pair<std::string, std::string>>& images,
                         v1::AddImagesResponse* response) {
    v1::DatasetService::Stub stub(channel_);
    grpc::ClientContext context;
    auto writer = stub.AddImages(WithDeadline(&context), response);
    for (const auto& [name, bytes] : images) {
      v1::AddImagesRequest request;
      request.set_name(name);
      request.set_data(bytes);
      if (!writer->Write(request)) break;
    }
    writer->WritesDone();
    return writer->Finish();
  }

  std::unique_ptr<TestDaemon> daemon_;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_F(LimitsTest, ImagesBoxesBatchesAndMessages) {
  StartDaemon(
      "max_image_bytes: 200000 max_image_pixels: 10000 max_boxes_per_image: 2 "
      "max_batch_count: 2 max_message_bytes: 1048576");
  v1::AddImagesResponse added;
  const absl::Time start = absl::Now();
  ASSERT_TRUE(AddImages({{"small", EncodeTestBmp(64, 64, 1)},
                         {"too-many-bytes", EncodeTestBmp(300, 300, 2)},
                         {"too-many-pixels", EncodeTestBmp(200, 60, 3)},
                         {"bomb", PngBomb(100000, 100000)}},
                        &added)
                  .ok());
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));  // 30 GB of pixels were never allocated.
  EXPECT_EQ(added.added(), 1);
  ASSERT_EQ(added.rejected_size(), 3);
  EXPECT_THAT(added.rejected(0).error(), HasSubstr("over the limit of 200000 bytes"));
  EXPECT_THAT(added.rejected(1).error(), HasSubstr("12000 pixels, over the limit of 10000"));
  // The header's claim is refused before any decoding: a decoder would say "not decodable".
  EXPECT_THAT(added.rejected(2).error(),
              HasSubstr("100000x100000 = 10000000000 pixels, over the limit"));

  // Predict decodes the image it is sent: the same header check runs first.
  {
    v1::ModelService::Stub models(channel_);
    grpc::ClientContext context;
    v1::PredictRequest request;
    request.set_image_data(PngBomb(100000, 100000));
    v1::PredictResponse response;
    grpc::Status status = models.Predict(WithDeadline(&context), request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(status.error_message(), HasSubstr("10000000000 pixels, over the limit"));
  }

  // A message over max_message_bytes is refused by gRPC itself.
  v1::AddImagesResponse big;
  grpc::Status too_big = AddImages({{"big", std::string(1536 * 1024, 'x')}}, &big);
  EXPECT_EQ(too_big.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << too_big.error_message();

  v1::QueueService::Stub queue(channel_);
  {
    grpc::ClientContext context;
    v1::GetNextBatchRequest request;
    request.set_count(3);
    v1::GetNextBatchResponse response;
    grpc::Status status = queue.GetNextBatch(WithDeadline(&context), request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(status.error_message(), HasSubstr("count must be in [1, 2]"));
  }
  grpc::ClientContext context;
  v1::GetNextBatchRequest request;
  request.set_count(1);
  request.set_annotator("ann");
  v1::GetNextBatchResponse batch;
  ASSERT_TRUE(queue.GetNextBatch(WithDeadline(&context), request, &batch).ok());
  ASSERT_EQ(batch.items_size(), 1);
  grpc::ClientContext submit_context;
  v1::SubmitLabelsRequest submit;
  submit.set_image_id(batch.items(0).image_id());
  submit.set_lease_id(batch.items(0).lease_id());
  for (int i = 0; i < 3; ++i) {
    v1::Box* box = submit.add_boxes();
    box->set_x1(1);
    box->set_y1(1);
    box->set_x2(10);
    box->set_y2(10);
    box->set_class_name("cell");
  }
  v1::SubmitLabelsResponse submitted;
  grpc::Status status = queue.SubmitLabels(WithDeadline(&submit_context), submit, &submitted);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("3 boxes, over the limit of 2 per image"));
}

// Polls `call` until it returns `code` (the daemon sees calls asynchronously to the client).
template <typename Call>
grpc::Status WaitForCode(Call call, grpc::StatusCode code) {
  grpc::Status status;
  for (int i = 0; i < 100; ++i) {
    status = call();
    if (status.error_code() == code) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return status;
}

TEST_F(LimitsTest, OpenStreamsAreCappedAndACancelledStreamFreesItsSlot) {
  StartDaemon("max_concurrent_streams: 1");
  v1::DatasetService::Stub stub(channel_);
  grpc::ClientContext holder_context;
  v1::AddImagesResponse holder_response;
  auto holder = stub.AddImages(&holder_context, &holder_response);  // Holds the only slot.
  auto another_stream = [&] {
    v1::AddImagesResponse response;
    return AddImages({}, &response);
  };
  grpc::Status refused = WaitForCode(another_stream, grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(refused.error_message(), HasSubstr("limits.max_concurrent_streams 1"));
  // Unary calls are not streams.
  EXPECT_FALSE(CallWithEmptyRequest(channel_, "/labelloop.v1.DatasetService/GetClasses", "")
                   .status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);

  // The client gives up mid-stream: the daemon's handler must end and free the slot.
  holder_context.TryCancel();
  EXPECT_EQ(holder->Finish().error_code(), grpc::StatusCode::CANCELLED);
  EXPECT_TRUE(WaitForCode(another_stream, grpc::StatusCode::OK).ok());
}

TEST_F(LimitsTest, RequestRateIsLimitedPerCallerWithARetryHint) {
  StartDaemon("requests_per_second: 2 request_burst: 3");
  const std::string method = "/labelloop.v1.DatasetService/GetClasses";
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(CallWithEmptyRequest(channel_, method, "").status.ok()) << i;
  }
  RawCallResult limited = CallWithEmptyRequest(channel_, method, "");
  ASSERT_EQ(limited.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(limited.status.error_message(), HasSubstr("retry in"));
  int retry_ms = 0;
  ASSERT_TRUE(absl::SimpleAtoi(limited.retry_after_ms, &retry_ms)) << limited.retry_after_ms;
  EXPECT_GT(retry_ms, 0);
  EXPECT_LE(retry_ms, 500);
  // Another caller (without tokens: another connection) has its own budget.
  std::shared_ptr<grpc::Channel> other = daemon_->NewChannel();
  EXPECT_TRUE(CallWithEmptyRequest(other, method, "").status.ok());
  // After the hinted wait the first caller may call again.
  std::this_thread::sleep_for(std::chrono::milliseconds(retry_ms + 20));
  EXPECT_TRUE(CallWithEmptyRequest(channel_, method, "").status.ok());
}

}  // namespace
}  // namespace labelloop::testing
