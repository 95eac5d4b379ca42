// Which lines a LogQuery selects: the subject filter that narrows the stream read (namespace,
// pod name, pod uid, container) and the test every line read must pass (pod name, labels, node, time
// range, text, regular expression).
#pragma once

#include <cstdint>
#include <optional>
#include <regex>
#include <string>

#include "skiff/logging/v1/logging.pb.h"
#include "skiff/sdk/selector.hpp"
#include "skiff/sdk/subjects.hpp"

namespace skiff::logging {

class LogFilter {
 public:
  // Throws sdk::Error(400) naming the field for a bad label selector, regular expression or
  // time range.
  static LogFilter compile(const v1::LogQuery& query);

  bool matches(const v1::LogLine& line) const;
  // skiff.<c>.logs.<ns|*>.<pod|*>.<uid|*>.<container|*>
  std::string subject_filter(const sdk::Subjects& subjects) const;
  std::int64_t since() const { return query_.since_unix_nano(); }
  std::int64_t until() const { return query_.until_unix_nano(); }

 private:
  v1::LogQuery query_;  // the fields compared as they are
  sdk::LabelSelector selector_;
  std::optional<std::regex> regex_;
};

}  // namespace skiff::logging
