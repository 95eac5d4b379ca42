// gzip for HTTP bodies: whole or streamed in pieces, read back the same; what is not gzip, or
// is cut short, is refused rather than half read.
#include <gtest/gtest.h>

#include "skiff/sdk/gzip.hpp"

namespace {

using namespace skiff;

std::string sample() {
  std::string text;
  for (int i = 0; i < 20000; ++i) text += "{\"name\":\"pod-" + std::to_string(i) + "\",\"phase\":\"Running\"},";
  return text;
}

TEST(Gzip, AWholeBodyReadsBackTheSameAndSmaller) {
  std::string text = sample();
  std::string packed = sdk::gzip(text);
  EXPECT_LT(packed.size(), text.size() / 5);
  EXPECT_EQ(packed.substr(0, 2), "\x1f\x8b") << "a gzip header, as HTTP's Content-Encoding: gzip wants";
  EXPECT_EQ(sdk::gunzip(packed), text);
  EXPECT_EQ(sdk::gunzip(sdk::gzip("")), "");
}

TEST(Gzip, AStreamWrittenInPiecesIsOneGzipBody) {
  std::string text = sample(), packed;
  sdk::GzipStream stream;
  for (std::size_t at = 0; at < text.size(); at += 7000) packed += stream.add(text.substr(at, 7000));
  packed += stream.finish();
  EXPECT_EQ(sdk::gunzip(packed), text);
}

TEST(Gzip, WhatIsNotGzipOrIsCutShortIsRefused) {
  EXPECT_FALSE(sdk::gunzip("plain text").has_value());
  std::string packed = sdk::gzip(sample());
  EXPECT_FALSE(sdk::gunzip(packed.substr(0, packed.size() / 2)).has_value());
}

}  // namespace
