// Joins Prometheus text expositions (the kernel's, each plugin's) into one that stays valid:
// every family once, under one HELP and one TYPE line, its samples from every part together.
#pragma once

#include <string>
#include <vector>

namespace skiff::kubelet {

struct ExpositionPart {
  std::string text;
  // Added as a plugin="…" label to samples that have none, so two plugins' equal series stay
  // apart; "" adds nothing.
  std::string plugin;
};

std::string merge_expositions(const std::vector<ExpositionPart>& parts);

// A label value as the text format writes it: backslash, double quote and newline escaped.
std::string escaped_label_value(const std::string& value);

}  // namespace skiff::kubelet
