#pragma once
// YamlMap: reads one YAML mapping into typed values, once, at the edge. Every error names
// the file, the line, the dotted key path, the bad value and what is allowed, e.g.
//   scenarios/x.yaml:12: parallelism.pp = 3: must be an even number
// and unknown keys are errors with a "did you mean" suggestion (call finish() once all
// known keys were read). Throws llmsim::UserError; never crashes on malformed input.

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace llmsim {

// The tag apply_override() (costmodel/read/scenario.hpp) puts on values set from the command line:
// their errors say "--set key" instead of file:line.
inline constexpr const char* kOverrideTag = "!llmsim-set";

// Loads a YAML file; a missing file or broken YAML becomes one UserError with file and line.
// Limits on what a scenario, model or cluster file (or a --set value, or a Hugging Face
// config.json: model_file.hpp) may hold; beyond them loading is a UserError naming the file.
inline constexpr std::size_t kMaxYamlBytes = 16u << 20;     // 16 MiB of text
inline constexpr int kMaxYamlDepth = 64;                     // nesting levels
inline constexpr std::size_t kMaxYamlValues = 1'000'000;     // values, aliases expanded

// A value as errors quote it: at most 80 characters ("...(N characters)" beyond).
std::string quote_value(const std::string& text);

YAML::Node load_yaml_file(const std::string& path);
// Parses YAML text; `name` stands for the file in messages.
YAML::Node load_yaml_string(const std::string& text, const std::string& name);

// The closest of `candidates` to `word`, or "" if none is close: the first candidate `word`
// begins (3 characters or more), else the nearest by edit distance.
std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates);
// The same as the tail of an "unknown name" message: "; did you mean 'serve'?", or "".
std::string did_you_mean_clause(const std::string& word, const std::vector<std::string>& candidates);

class YamlMap {
 public:
  // `path` is the dotted key path of this mapping ("" for the document root).
  YamlMap(YAML::Node node, std::string file, std::string path);

  const std::string& file() const { return file_; }
  const std::string& path() const { return path_; }
  const YAML::Node& node() const { return node_; }
  bool has(const std::string& key) const;

  // Typed reads. `required` variants fail if the key is missing; others return the default.
  // Ranges are inclusive; numbers outside them are errors that say the range.
  double number(const std::string& key, double min, double max);
  double number_or(const std::string& key, double fallback, double min, double max);
  std::int64_t integer(const std::string& key, std::int64_t min, std::int64_t max);
  std::int64_t integer_or(const std::string& key, std::int64_t fallback, std::int64_t min,
                          std::int64_t max);
  bool boolean_or(const std::string& key, bool fallback);
  std::string string(const std::string& key);
  std::string string_or(const std::string& key, const std::string& fallback);
  // A string that must be one of `allowed` (case-sensitive).
  std::string choice(const std::string& key, const std::vector<std::string>& allowed);
  std::string choice_or(const std::string& key, const std::string& fallback,
                        const std::vector<std::string>& allowed);
  // A nested mapping.
  YamlMap map(const std::string& key);
  std::optional<YamlMap> map_if_present(const std::string& key);
  // A sequence (a YAML list), its elements in order.
  std::vector<YAML::Node> sequence(const std::string& key);

  // Marks a key as known without reading it (a caller that reads it some other way).
  void accept(const std::string& key) { read_.insert(key); }
  // Fails on the first key that was never read, suggesting the closest known key.
  void finish(const std::vector<std::string>& known_keys) const;

  // "file:line: path.key = value: <what>" for errors a caller detects itself (a plan check).
  [[noreturn]] void fail(const std::string& key, const std::string& what) const;
  std::string where(const std::string& key) const;  // "file:line: path.key"

 private:
  YAML::Node get(const std::string& key, bool required);
  void reject_duplicate_keys() const;
  std::string full(const std::string& key) const;
  std::string value_text(const YAML::Node& n) const;

  YAML::Node node_;
  std::string file_;
  std::string path_;
  std::set<std::string> read_;
};

}  // namespace llmsim
