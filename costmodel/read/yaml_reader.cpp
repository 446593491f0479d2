#include "costmodel/read/yaml_reader.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <utility>

#include <fmt/format.h>
#include <yaml-cpp/depthguard.h>

#include "sim/check.hpp"

namespace llmsim {

namespace {

std::string line_of(const YAML::Node& n) {
  const YAML::Mark m = n.Mark();
  if (m.line < 0) return "";
  return fmt::format(":{}", m.line + 1);
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) {
    if (!s.empty()) s += ", ";
    s += x;
  }
  return s;
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

std::string quote_value(const std::string& text) {
  constexpr std::size_t kShown = 80;
  if (text.size() <= kShown) return text;
  return fmt::format("{}...({} characters)", text.substr(0, kShown - 3), text.size());
}

namespace {

// Walks the tree as a reader would, aliases expanded, without recursion: a YAML alias that
// contains itself, or aliases nested into billions of values ("billion laughs"), end here with
// one error instead of a stack overflow or a hang.
void check_tree(const YAML::Node& root, const std::string& name) {
  std::vector<std::pair<YAML::Node, int>> stack{{root, 0}};
  std::size_t values = 0;
  while (!stack.empty()) {
    auto [n, depth] = stack.back();
    stack.pop_back();
    if (depth > kMaxYamlDepth) {
      throw UserError(fmt::format("{}: YAML nested deeper than {} levels (an alias that "
                                  "contains itself?)", name, kMaxYamlDepth));
    }
    if (++values > kMaxYamlValues) {
      throw UserError(fmt::format("{}: more than {} YAML values once aliases are expanded",
                                  name, kMaxYamlValues));
    }
    if (n.IsSequence()) {
      for (const auto& e : n) stack.emplace_back(e, depth + 1);
    } else if (n.IsMap()) {
      for (const auto& kv : n) {
        stack.emplace_back(kv.first, depth + 1);
        stack.emplace_back(kv.second, depth + 1);
      }
    }
  }
}

}  // namespace

YAML::Node load_yaml_string(const std::string& text, const std::string& name) {
  if (text.size() > kMaxYamlBytes) {
    throw UserError(fmt::format("{}: {} bytes of YAML; at most {}", name, text.size(), kMaxYamlBytes));
  }
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::DeepRecursion& e) {  // yaml-cpp's own limit, met while parsing
    throw UserError(fmt::format("{}:{}: YAML nested deeper than {} levels", name, e.mark.line + 1,
                                kMaxYamlDepth));
  } catch (const YAML::Exception& e) {
    throw UserError(fmt::format("{}:{}: broken YAML: {}", name, e.mark.line + 1, e.msg));
  }
  check_tree(root, name);
  return root;
}

YAML::Node load_yaml_file(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw UserError(fmt::format("{}: no such file", path));
  }
  const auto size = std::filesystem::file_size(path, ec);
  if (!ec && size > kMaxYamlBytes) {
    throw UserError(fmt::format("{}: {} bytes of YAML; at most {}", path, size, kMaxYamlBytes));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UserError(fmt::format("{}: cannot be read", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return load_yaml_string(ss.str(), path);
}

std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates) {
  // A word of 3 characters or more that begins a candidate names it ("a100" is a100-80gb,
  // not h100 one edit away); the first such candidate.
  if (word.size() >= 3) {
    for (const auto& c : candidates) {
      if (c.size() > word.size() && c.compare(0, word.size(), word) == 0) return c;
    }
  }
  std::string best;
  std::size_t best_d = std::numeric_limits<std::size_t>::max();
  for (const auto& c : candidates) {
    const std::size_t d = edit_distance(word, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  // Close enough: at most a third of the word wrong (and at least one edit allowed).
  if (best_d <= std::max<std::size_t>(1, word.size() / 3)) return best;
  return "";
}

std::string did_you_mean_clause(const std::string& word, const std::vector<std::string>& candidates) {
  const std::string best = did_you_mean(word, candidates);
  return best.empty() ? "" : "; did you mean '" + best + "'?";
}

YamlMap::YamlMap(YAML::Node node, std::string file, std::string path)
    : node_(std::move(node)), file_(std::move(file)), path_(std::move(path)) {
  if (!node_.IsMap()) {
    throw UserError(fmt::format("{}{}: {}: expected a mapping of keys to values", file_,
                                line_of(node_), path_.empty() ? "document" : path_));
  }
  reject_duplicate_keys();
}

// YAML keys are unique within a mapping (YAML 1.2 s3.2.1.1); yaml-cpp keeps the first of two
// and drops the other silently, so a repeated key is an error naming both lines.
void YamlMap::reject_duplicate_keys() const {
  std::map<std::string, YAML::Mark> seen;
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    if (!it->first.IsScalar()) continue;
    const std::string key = it->first.Scalar();
    const auto [at, fresh] = seen.emplace(key, it->first.Mark());
    if (fresh) continue;
    throw UserError(fmt::format("{}{}: {}: the key appears twice in one mapping (first at line "
                                "{}); allowed: each key once",
                                file_, line_of(it->first), full(key), at->second.line + 1));
  }
}

std::string YamlMap::full(const std::string& key) const {
  return path_.empty() ? key : path_ + "." + key;
}

std::string YamlMap::where(const std::string& key) const {
  const YAML::Node n = node_[key];
  if (n && n.Tag() == kOverrideTag) return fmt::format("--set {}", full(key));
  return fmt::format("{}{}: {}", file_, n ? line_of(n) : line_of(node_), full(key));
}

std::string YamlMap::value_text(const YAML::Node& n) const {
  if (n.IsScalar()) return quote_value(n.Scalar());
  if (n.IsSequence()) return "a list";
  if (n.IsMap()) return "a mapping";
  return "nothing";
}

void YamlMap::fail(const std::string& key, const std::string& what) const {
  const YAML::Node n = node_[key];
  if (n && !n.IsNull()) {
    throw UserError(fmt::format("{} = {}: {}", where(key), value_text(n), what));
  }
  throw UserError(fmt::format("{}: {}", where(key), what));
}

bool YamlMap::has(const std::string& key) const {
  const YAML::Node n = node_[key];
  return n && !n.IsNull();
}

YAML::Node YamlMap::get(const std::string& key, bool required) {
  read_.insert(key);
  const YAML::Node n = node_[key];
  if (!n || n.IsNull()) {
    if (required) fail(key, "missing; this key is required");
    return YAML::Node();
  }
  return n;
}

double YamlMap::number(const std::string& key, double min, double max) {
  const YAML::Node n = get(key, true);
  double v = 0.0;
  if (!n.IsScalar() || !YAML::convert<double>::decode(n, v) || !std::isfinite(v)) {
    fail(key, "expected a number");
  }
  if (v < min || v > max) fail(key, fmt::format("must be between {:g} and {:g}", min, max));
  return v;
}

double YamlMap::number_or(const std::string& key, double fallback, double min, double max) {
  return has(key) ? number(key, min, max) : (read_.insert(key), fallback);
}

std::int64_t YamlMap::integer(const std::string& key, std::int64_t min, std::int64_t max) {
  const YAML::Node n = get(key, true);
  long long v = 0;
  if (!n.IsScalar() || !YAML::convert<long long>::decode(n, v)) {
    double d = 0.0;
    if (n.IsScalar() && YAML::convert<double>::decode(n, d) && std::isfinite(d)) {
      fail(key, fmt::format("expected a whole number between {} and {}", min, max));
    }
    fail(key, "expected a whole number");
  }
  if (v < min || v > max) fail(key, fmt::format("must be between {} and {}", min, max));
  return v;
}

std::int64_t YamlMap::integer_or(const std::string& key, std::int64_t fallback, std::int64_t min,
                                 std::int64_t max) {
  return has(key) ? integer(key, min, max) : (read_.insert(key), fallback);
}

bool YamlMap::boolean_or(const std::string& key, bool fallback) {
  if (!has(key)) {
    read_.insert(key);
    return fallback;
  }
  const YAML::Node n = get(key, true);
  bool v = false;
  if (!n.IsScalar() || !YAML::convert<bool>::decode(n, v)) fail(key, "expected true or false");
  return v;
}

std::string YamlMap::string(const std::string& key) {
  const YAML::Node n = get(key, true);
  if (!n.IsScalar()) fail(key, "expected a text value");
  return n.Scalar();
}

std::string YamlMap::string_or(const std::string& key, const std::string& fallback) {
  return has(key) ? string(key) : (read_.insert(key), fallback);
}

std::string YamlMap::choice(const std::string& key, const std::vector<std::string>& allowed) {
  const std::string v = string(key);
  if (std::find(allowed.begin(), allowed.end(), v) == allowed.end()) {
    const std::string hint = did_you_mean(v, allowed);
    fail(key, fmt::format("{}allowed: {}", hint.empty() ? "" : "did you mean '" + hint + "'? ",
                          join(allowed)));
  }
  return v;
}

std::string YamlMap::choice_or(const std::string& key, const std::string& fallback,
                               const std::vector<std::string>& allowed) {
  return has(key) ? choice(key, allowed) : (read_.insert(key), fallback);
}

YamlMap YamlMap::map(const std::string& key) {
  const YAML::Node n = get(key, true);
  if (!n.IsMap()) fail(key, "expected a mapping of keys to values");
  return YamlMap(n, file_, full(key));
}

std::optional<YamlMap> YamlMap::map_if_present(const std::string& key) {
  if (!has(key)) {
    read_.insert(key);
    return std::nullopt;
  }
  return map(key);
}

std::vector<YAML::Node> YamlMap::sequence(const std::string& key) {
  const YAML::Node n = get(key, true);
  if (!n.IsSequence()) fail(key, "expected a list");
  std::vector<YAML::Node> out;
  for (const auto& e : n) out.push_back(e);
  return out;
}

void YamlMap::finish(const std::vector<std::string>& known_keys) const {
  for (const auto& kv : node_) {
    std::string key;
    if (!kv.first.IsScalar()) {
      throw UserError(fmt::format("{}{}: {}: keys must be plain names", file_, line_of(kv.first),
                                  path_.empty() ? "document" : path_));
    }
    key = kv.first.Scalar();
    if (read_.count(key)) continue;
    const std::string at = kv.second.Tag() == kOverrideTag ? std::string("--set")
                                                           : file_ + line_of(kv.first);
    throw UserError(fmt::format("{}: {}: unknown key{}; allowed: {}", at,
                                full(quote_value(key)), did_you_mean_clause(key, known_keys),
                                join(known_keys)));
  }
}

}  // namespace llmsim
