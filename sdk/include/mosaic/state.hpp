// Saved state for snapshots: a machine (and later its devices) writes its
// state as a sequence of little-endian fields with StateWriter, and reads
// it back in the same order with StateReader. Fields carry no names; a
// writer starts with a version of its own so that its reader can refuse a
// layout it does not know. A reader never reads past its bytes: running
// short, a count too large to be real or a bad tag throws StateError, so
// a damaged file is an error, never a crash.
#pragma once

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace mosaic {

class StateError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class StateWriter {
 public:
  void u8(std::uint8_t value) { bytes_.push_back(static_cast<std::byte>(value)); }
  void u16(std::uint16_t value) { little_endian(value, 2); }
  void u32(std::uint32_t value) { little_endian(value, 4); }
  void u64(std::uint64_t value) { little_endian(value, 8); }
  void boolean(bool value) { u8(value ? 1 : 0); }
  // A length-prefixed run of bytes or characters.
  void bytes(std::span<const std::byte> data) {
    u64(data.size());
    bytes_.insert(bytes_.end(), data.begin(), data.end());
  }
  void string(std::string_view text) { bytes(std::as_bytes(std::span(text.data(), text.size()))); }
  // A marker that the reader checks, so that a reader that has lost its
  // place says where instead of reading garbage.
  void tag(std::string_view name) { string(name); }

  const std::vector<std::byte>& data() const { return bytes_; }
  std::vector<std::byte> take() { return std::move(bytes_); }

 private:
  void little_endian(std::uint64_t value, unsigned size) {
    for (unsigned i = 0; i < size; ++i) bytes_.push_back(static_cast<std::byte>(value >> (8 * i)));
  }
  std::vector<std::byte> bytes_;
};

class StateReader {
 public:
  explicit StateReader(std::span<const std::byte> data) : data_(data) {}

  std::uint8_t u8() { return static_cast<std::uint8_t>(little_endian(1)); }
  std::uint16_t u16() { return static_cast<std::uint16_t>(little_endian(2)); }
  std::uint32_t u32() { return static_cast<std::uint32_t>(little_endian(4)); }
  std::uint64_t u64() { return little_endian(8); }
  bool boolean() {
    const std::uint8_t value = u8();
    if (value > 1) throw StateError("saved state: a flag holds " + std::to_string(value));
    return value == 1;
  }
  std::span<const std::byte> bytes() {
    const std::uint64_t size = u64();
    return take(size);
  }
  std::string string() {
    const auto raw = bytes();
    return std::string(reinterpret_cast<const char*>(raw.data()), raw.size());
  }
  void expect_tag(std::string_view name) {
    const std::string found = string();
    if (found != name) {
      throw StateError("saved state: expected section '" + std::string(name) + "', found '" + found + "'");
    }
  }
  // A count of items that each take at least `item_bytes`: more than the
  // bytes left can hold is damage, not a reason to allocate.
  std::uint64_t count(std::uint64_t item_bytes) {
    const std::uint64_t value = u64();
    if (item_bytes != 0 && value > remaining() / item_bytes) {
      throw StateError("saved state: a count of " + std::to_string(value) + " runs past the end");
    }
    return value;
  }

  std::size_t remaining() const { return data_.size() - position_; }
  void expect_end() const {
    if (remaining() != 0) throw StateError("saved state: " + std::to_string(remaining()) + " bytes left over");
  }

 private:
  std::span<const std::byte> take(std::uint64_t size) {
    if (size > remaining()) throw StateError("saved state: truncated");
    const auto part = data_.subspan(position_, static_cast<std::size_t>(size));
    position_ += static_cast<std::size_t>(size);
    return part;
  }
  std::uint64_t little_endian(unsigned size) {
    const auto raw = take(size);
    std::uint64_t value = 0;
    for (unsigned i = 0; i < size; ++i) value |= std::uint64_t{std::to_integer<std::uint8_t>(raw[i])} << (8 * i);
    return value;
  }

  std::span<const std::byte> data_;
  std::size_t position_ = 0;
};

}  // namespace mosaic
