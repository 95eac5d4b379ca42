// Divisors checked as Kubernetes checks them: by their canonical text (Quantity.String()), which
// depends on the value and on the form of its suffix (decimal, binary, exponent).
#include "divisor_validation.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <vector>

#include "skiff/sdk/quantity.hpp"

namespace skiff::apiserver {

namespace {

namespace core = api::core::v1;
using Strings = std::vector<std::string>;

bool has(const Strings& list, const std::string& value) { return std::find(list.begin(), list.end(), value) != list.end(); }

// A quantity's value as an exact fraction (numerator over a power of ten), and the form its
// suffix gives it.
struct ExactQuantity {
  __int128 numerator = 0, denominator = 1;
  enum Form { kDecimalSI, kBinarySI, kDecimalExponent } form = kDecimalSI;
};

bool times(__int128& value, __int128 factor) { return !__builtin_mul_overflow(value, factor, &value); }

bool power(__int128& value, int base, int exponent) {
  for (int i = 0; i < exponent; ++i)
    if (!times(value, base)) return false;
  return true;
}

// nullopt when the text is not a quantity, or too large to matter here.
std::optional<ExactQuantity> exact_quantity(const std::string& text) {
  std::size_t i = 0;
  bool negative = !text.empty() && text[0] == '-';
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) ++i;
  __int128 mantissa = 0;
  int fraction_digits = 0, digits = 0;
  bool in_fraction = false;
  for (; i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'); ++i) {
    if (text[i] == '.') {
      if (in_fraction) return std::nullopt;
      in_fraction = true;
      continue;
    }
    if (!times(mantissa, 10)) return std::nullopt;
    mantissa += text[i] - '0';
    fraction_digits += in_fraction;
    ++digits;
  }
  if (digits == 0) return std::nullopt;
  std::string suffix = text.substr(i);
  ExactQuantity q;
  int exp10 = 0, exp2 = 0;
  static const std::vector<std::pair<std::string, int>> kDecimal = {{"n", -9}, {"u", -6}, {"m", -3}, {"", 0},  {"k", 3},
                                                                    {"M", 6},  {"G", 9},  {"T", 12}, {"P", 15}, {"E", 18}};
  static const std::vector<std::pair<std::string, int>> kBinary = {{"Ki", 10}, {"Mi", 20}, {"Gi", 30},
                                                                   {"Ti", 40}, {"Pi", 50}, {"Ei", 60}};
  auto decimal = std::find_if(kDecimal.begin(), kDecimal.end(), [&](const auto& s) { return s.first == suffix; });
  auto binary = std::find_if(kBinary.begin(), kBinary.end(), [&](const auto& s) { return s.first == suffix; });
  if (decimal != kDecimal.end()) {
    exp10 = decimal->second;
  } else if (binary != kBinary.end()) {
    exp2 = binary->second;
    q.form = ExactQuantity::kBinarySI;
  } else if (suffix.size() > 1 && (suffix[0] == 'e' || suffix[0] == 'E')) {
    std::size_t used = 0;
    try {
      exp10 = std::stoi(suffix.substr(1), &used);
    } catch (const std::exception&) {
      return std::nullopt;
    }
    if (used != suffix.size() - 1 || exp10 > 30 || exp10 < -30) return std::nullopt;
    q.form = ExactQuantity::kDecimalExponent;
  } else {
    return std::nullopt;
  }
  exp10 -= fraction_digits;
  q.numerator = negative ? -mantissa : mantissa;
  if (!power(q.numerator, 10, std::max(exp10, 0)) || !power(q.numerator, 2, exp2) ||
      !power(q.denominator, 10, std::max(-exp10, 0)))
    return std::nullopt;
  return q;
}

bool equals(const ExactQuantity& q, __int128 numerator, __int128 denominator) {
  __int128 left = q.numerator, right = numerator;
  return times(left, denominator) && times(right, q.denominator) && left == right;
}

// Quantity.String() of a divisor when it is 0, 1m, 1 or one unit of an SI or binary suffix
// (the only texts the lists hold); "" for any other value, and when it is not a quantity.
std::string divisor_text(const std::string& text) {
  auto q = exact_quantity(text);
  if (!q) return "";
  if (q->numerator == 0) return "0";
  if (equals(*q, 1, 1)) return "1";
  bool exponent = q->form == ExactQuantity::kDecimalExponent;
  if (equals(*q, 1, 1000)) return exponent ? "" : "1m";
  // A binary suffix on a value under 1024 is written in decimal: of the values below, only 1000.
  bool binary = q->form == ExactQuantity::kBinarySI && !equals(*q, 1000, 1);
  static const char* kDecimalUnits[] = {"1k", "1M", "1G", "1T", "1P", "1E"};
  static const char* kBinaryUnits[] = {"1Ki", "1Mi", "1Gi", "1Ti", "1Pi", "1Ei"};
  for (int k = 1; k <= 6; ++k) {
    __int128 thousands = 1, kibis = 1;
    power(thousands, 1000, k);
    power(kibis, 1024, k);
    if (!binary && !exponent && equals(*q, thousands, 1)) return kDecimalUnits[k - 1];
    if (binary && equals(*q, kibis, 1)) return kBinaryUnits[k - 1];
  }
  return "";
}

// Kubernetes' validateContainerResourceDivisor.
}  // namespace

void check_divisor(FieldErrors& errors, const std::string& field, const core::ResourceFieldSelector& selector) {
  const std::string& text = selector.divisor();
  if (text.empty()) return;
  if (!sdk::parse_quantity_milli(text))
    return errors.invalid(field + ".divisor", quoted(text),
                          "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
  std::string canonical = divisor_text(text);
  if (canonical == "0") return;  // unset: 1
  const std::string& resource = selector.resource();
  static const Strings kBytes = {"1", "1k", "1M", "1G", "1T", "1P", "1E", "1Ki", "1Mi", "1Gi", "1Ti", "1Pi", "1Ei"};
  const char* bytes_message = "only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei are supported with the ";
  if (resource == "limits.cpu" || resource == "requests.cpu") {
    if (canonical != "1m" && canonical != "1")
      errors.invalid(field + ".divisor", quoted(resource), "only divisor's values 1m and 1 are supported with the cpu resource");
  } else if (resource == "limits.memory" || resource == "requests.memory") {
    if (!has(kBytes, canonical)) errors.invalid(field + ".divisor", quoted(resource), std::string(bytes_message) + "memory resource");
  } else if (resource == "limits.ephemeral-storage" || resource == "requests.ephemeral-storage") {
    if (!has(kBytes, canonical))
      errors.invalid(field + ".divisor", quoted(resource), std::string(bytes_message) + "local ephemeral storage resource");
  }
  if ((resource.rfind("requests.hugepages-", 0) == 0 || resource.rfind("limits.hugepages-", 0) == 0) && !has(kBytes, canonical))
    errors.invalid(field + ".divisor", quoted(resource), std::string(bytes_message) + "hugepages resource");
}

}  // namespace skiff::apiserver
