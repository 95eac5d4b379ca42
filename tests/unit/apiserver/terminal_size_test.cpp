// kubectl's terminal resize messages, as both protocols carry them ({"Width":w,"Height":h}).
#include <gtest/gtest.h>

#include <utility>
#include <vector>

#include "exec_channels.hpp"

namespace {

using Sizes = std::vector<std::pair<std::uint32_t, std::uint32_t>>;

Sizes sizes_in(std::string_view text) {
  Sizes out;
  skiff::apiserver::parse_terminal_sizes(text, [&](std::uint32_t w, std::uint32_t h) { out.emplace_back(w, h); });
  return out;
}

TEST(TerminalSize, OneOrSeveralLinesOfJson) {
  EXPECT_EQ(sizes_in(R"({"Width":120,"Height":40})"), (Sizes{{120, 40}}));
  EXPECT_EQ(sizes_in("{\"Width\":80,\"Height\":24}\n{\"Width\":100,\"Height\":30}\n"), (Sizes{{80, 24}, {100, 30}}));
}

TEST(TerminalSize, WhatIsNotASizeIsSkipped) {
  EXPECT_TRUE(sizes_in("").empty());
  EXPECT_TRUE(sizes_in("not json").empty());
  EXPECT_TRUE(sizes_in(R"({"Width":0,"Height":40})").empty());
  EXPECT_TRUE(sizes_in(R"({"Width":"80","Height":24})").empty());
  EXPECT_EQ(sizes_in("garbage\n{\"Width\":80,\"Height\":24}"), (Sizes{{80, 24}}));
}

}  // namespace
