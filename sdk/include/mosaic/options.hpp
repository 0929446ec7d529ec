// Typed, located access to YAML configuration for the core and for plugins.
// Every error names where the value came from (file:line:column, or the
// --set override) and the full key, so a user can fix it without guessing.
#pragma once

#include <algorithm>
#include <filesystem>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <yaml-cpp/yaml.h>

#include "mosaic/errors.hpp"

namespace mosaic {

// Where a configuration tree came from: its file and the key paths that a
// command-line override replaced (those have no line in the file).
struct ConfigSource {
  std::string file;
  std::map<std::string, std::string> overrides;  // key path -> "--set key=value"

  std::string locate(const std::string& key_path, const YAML::Node& node) const {
    for (const auto& [path, origin] : overrides) {
      if (key_path == path || key_path.starts_with(path + ".") || key_path.starts_with(path + "[")) {
        return origin;
      }
    }
    const YAML::Mark mark = node.Mark();
    if (mark.is_null()) return file;
    return fmt::format("{}:{}:{}", file, mark.line + 1, mark.column + 1);
  }
};

// Edit distance, for "did you mean" suggestions on misspelt keys.
inline std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

inline std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string>& choices) {
  std::optional<std::string> best;
  std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const auto& choice : choices) {
    const std::size_t distance = edit_distance(word, choice);
    if (distance < best_distance) {
      best_distance = distance;
      best = choice;
    }
  }
  return best;
}

// Parses "512M", "1G", "1GiB", "4096", "0x1000" into bytes (binary units).
inline std::optional<std::uint64_t> parse_size(std::string_view text) {
  std::size_t digits_end = 0;
  std::uint64_t value = 0;
  const bool hex = text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
  const unsigned base = hex ? 16 : 10;
  std::size_t i = hex ? 2 : 0;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    unsigned digit;
    if (c >= '0' && c <= '9') digit = static_cast<unsigned>(c - '0');
    else if (hex && c >= 'a' && c <= 'f') digit = static_cast<unsigned>(c - 'a' + 10);
    else if (hex && c >= 'A' && c <= 'F') digit = static_cast<unsigned>(c - 'A' + 10);
    else break;
    if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / base) return std::nullopt;
    value = value * base + digit;
    digits_end = i + 1;
  }
  if (digits_end == (hex ? 2u : 0u)) return std::nullopt;
  std::string unit(text.substr(digits_end));
  if (hex && !unit.empty()) return std::nullopt;
  static const std::map<std::string, unsigned> shifts = {
      {"", 0},    {"B", 0},    {"K", 10},   {"KB", 10},  {"KiB", 10}, {"M", 20}, {"MB", 20},
      {"MiB", 20}, {"G", 30},  {"GB", 30},  {"GiB", 30}, {"T", 40},   {"TB", 40}, {"TiB", 40}};
  const auto shift = shifts.find(unit);
  if (shift == shifts.end()) return std::nullopt;
  if (shift->second && value > (std::numeric_limits<std::uint64_t>::max() >> shift->second)) return std::nullopt;
  return value << shift->second;
}

// A configuration node together with its key path and source, so that any
// accessor can produce a precise error. Cheap to copy.
class OptionNode {
 public:
  OptionNode(std::shared_ptr<const ConfigSource> source, YAML::Node node, std::string key_path)
      : source_(std::move(source)), node_(std::move(node)), key_path_(std::move(key_path)) {}

  // yaml-cpp's Node::operator= writes through to the tree the node refers
  // to; OptionNodes are handles, so assignment rebinds instead.
  OptionNode(const OptionNode&) = default;
  OptionNode& operator=(const OptionNode& other) {
    if (this == &other) return *this;
    source_ = other.source_;
    node_.reset(other.node_);
    key_path_ = other.key_path_;
    parent_mark_.reset();
    if (other.parent_mark_) parent_mark_.emplace(*other.parent_mark_);
    return *this;
  }

  const std::string& key_path() const { return key_path_; }
  const YAML::Node& yaml() const { return node_; }
  const ConfigSource& source() const { return *source_; }
  bool defined() const { return node_.IsDefined() && !node_.IsNull(); }
  bool is_map() const { return node_.IsMap(); }
  bool is_sequence() const { return node_.IsSequence(); }
  bool is_scalar() const { return node_.IsScalar(); }
  std::string location() const { return source_->locate(key_path_, node_); }

  [[noreturn]] void fail(std::string_view message) const {
    throw ConfigError(fmt::format("{}: '{}': {}", location(), key_path_, message));
  }

  // Rejects keys outside `allowed`, suggesting the nearest allowed key.
  void expect_keys(std::initializer_list<std::string_view> allowed) const {
    if (!defined()) return;
    if (!node_.IsMap()) fail("expected a mapping of keys to values");
    std::vector<std::string> names(allowed.begin(), allowed.end());
    for (const auto& entry : node_) {
      const auto key = key_text(entry.first);
      if (std::find(names.begin(), names.end(), key) != names.end()) continue;
      OptionNode bad(source_, entry.first, join(key));
      const auto suggestion = closest_match(key, names);
      bad.fail(suggestion ? fmt::format("unknown key; did you mean '{}'?", *suggestion)
                          : fmt::format("unknown key; expected one of: {}", fmt::join(names, ", ")));
    }
  }

  OptionNode child(std::string_view key) const {
    YAML::Node value = node_.IsMap() ? node_[std::string(key)] : YAML::Node(YAML::NodeType::Undefined);
    // An absent child has no mark of its own: report it at its parent.
    return OptionNode(source_, value.IsDefined() ? value : node_, join(key), value.IsDefined());
  }

  std::vector<OptionNode> elements() const {
    if (!node_.IsSequence()) fail("expected a list");
    std::vector<OptionNode> items;
    for (std::size_t i = 0; i < node_.size(); ++i) {
      items.emplace_back(source_, node_[i], fmt::format("{}[{}]", key_path_, i));
    }
    return items;
  }

  std::vector<std::pair<std::string, OptionNode>> entries() const {
    if (!node_.IsMap()) fail("expected a mapping of keys to values");
    std::vector<std::pair<std::string, OptionNode>> items;
    for (const auto& entry : node_) {
      const auto key = key_text(entry.first);
      items.emplace_back(key, OptionNode(source_, entry.second, join(key)));
    }
    return items;
  }

  std::string as_string() const {
    require_present();
    if (!node_.IsScalar()) fail("expected a string");
    return node_.Scalar();
  }
  std::string as_string(std::string fallback) const { return defined() ? as_string() : fallback; }

  bool as_bool() const {
    require_present();
    bool value = false;
    if (!node_.IsScalar() || !YAML::convert<bool>::decode(node_, value)) fail("expected true or false");
    return value;
  }
  bool as_bool(bool fallback) const { return defined() ? as_bool() : fallback; }

  std::uint64_t as_uint(std::uint64_t min, std::uint64_t max) const {
    require_present();
    const std::string text = node_.IsScalar() ? node_.Scalar() : std::string();
    const auto value = text.find_first_not_of("0123456789xabcdefABCDEF") == std::string::npos
                           ? parse_size(text) : std::nullopt;
    if (!node_.IsScalar() || !value) fail(fmt::format("expected a whole number, got '{}'", text));
    const std::uint64_t number = value.value_or(0);
    if (number < min || number > max) fail(fmt::format("{} is out of range [{}, {}]", number, min, max));
    return number;
  }
  std::uint64_t as_uint(std::uint64_t min, std::uint64_t max, std::uint64_t fallback) const {
    return defined() ? as_uint(min, max) : fallback;
  }

  // A byte count with an optional binary unit: 512M, 1G, 1GiB, 65536.
  std::uint64_t as_size(std::uint64_t min, std::uint64_t max) const {
    require_present();
    const std::string text = node_.IsScalar() ? node_.Scalar() : std::string();
    const auto value = parse_size(text);
    if (!node_.IsScalar() || !value) {
      fail(fmt::format("expected a size such as 512M or 1G, got '{}'", text));
    }
    const std::uint64_t bytes = value.value_or(0);
    if (bytes < min || bytes > max) fail(fmt::format("{} is out of range [{}, {}] bytes", text, min, max));
    return bytes;
  }
  std::uint64_t as_size(std::uint64_t min, std::uint64_t max, std::uint64_t fallback) const {
    return defined() ? as_size(min, max) : fallback;
  }

  // A file path; a relative one resolves against the config file's
  // directory, so that a config works from any current directory.
  std::string as_path() const {
    const std::filesystem::path path(as_string());
    if (path.empty()) fail("expected a path, got an empty string");
    if (path.is_absolute()) return path.lexically_normal().string();
    return (std::filesystem::path(source_->file).parent_path() / path).lexically_normal().string();
  }

  // One of a fixed set of words.
  std::string as_choice(std::initializer_list<std::string_view> choices) const {
    const std::string value = as_string();
    std::vector<std::string> names(choices.begin(), choices.end());
    if (std::find(names.begin(), names.end(), value) != names.end()) return value;
    const auto suggestion = closest_match(value, names);
    fail(suggestion ? fmt::format("'{}' is not valid; did you mean '{}'?", value, *suggestion)
                    : fmt::format("'{}' is not valid; expected one of: {}", value, fmt::join(names, ", ")));
  }

 private:
  OptionNode(std::shared_ptr<const ConfigSource> source, YAML::Node node, std::string key_path, bool present)
      : source_(std::move(source)), node_(present ? std::move(node) : YAML::Node()), key_path_(std::move(key_path)),
        parent_mark_(present ? std::optional<YAML::Node>() : std::optional<YAML::Node>(node)) {}

  // YAML allows any node as a key (`? [a, b]`, or an empty one); a config
  // key is always a word, so anything else is the user's mistake to report.
  std::string key_text(const YAML::Node& key) const {
    if (!key.IsScalar()) OptionNode(source_, key, key_path_).fail("a key must be a word, not a list, a mapping or empty");
    return key.Scalar();
  }

  std::string join(std::string_view key) const {
    return key_path_.empty() ? std::string(key) : fmt::format("{}.{}", key_path_, key);
  }

  void require_present() const {
    if (defined()) return;
    const std::string where = source_->locate(key_path_, parent_mark_ ? *parent_mark_ : node_);
    throw ConfigError(fmt::format("{}: '{}': required key is missing", where, key_path_));
  }

  std::shared_ptr<const ConfigSource> source_;
  YAML::Node node_;
  std::string key_path_;
  std::optional<YAML::Node> parent_mark_;  // where to point when this key is absent
};

}  // namespace mosaic
