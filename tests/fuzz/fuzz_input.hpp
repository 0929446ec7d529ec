// Reads typed values off a fuzzer's input, front to back. Past the end every
// value is zero, so that any input, even an empty one, is a valid script.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <type_traits>

namespace mosaic::fuzz {

class FuzzInput {
 public:
  FuzzInput(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}

  bool empty() const { return position_ >= size_; }
  std::size_t remaining() const { return size_ - position_; }

  template <class T>
  T take() {
    static_assert(std::is_integral_v<T>);
    T value = 0;
    const std::size_t count = std::min(sizeof(T), remaining());
    std::memcpy(&value, data_ + position_, count);
    position_ += count;
    return value;
  }
  bool take_bool() { return take<std::uint8_t>() & 1; }
  // A value in [0, bound); 0 when bound is 0.
  std::uint64_t take_below(std::uint64_t bound) { return bound == 0 ? 0 : take<std::uint64_t>() % bound; }
  // Up to `count` bytes (fewer at the end).
  std::span<const std::uint8_t> take_bytes(std::size_t count) {
    count = std::min(count, remaining());
    const std::span<const std::uint8_t> bytes(data_ + position_, count);
    position_ += count;
    return bytes;
  }
  // A string of up to `max` bytes, its length in the first byte or two.
  std::string take_string(std::size_t max) {
    const std::size_t length = max < 256 ? take<std::uint8_t>() % (max + 1) : take<std::uint16_t>() % (max + 1);
    const auto bytes = take_bytes(length);
    return std::string(bytes.begin(), bytes.end());
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t position_ = 0;
};

}  // namespace mosaic::fuzz
