// Guest physical memory as seen from the host: one contiguous block of RAM
// starting at guest physical address 0. Accessors never read or write
// outside it, whatever address the guest supplies.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace mosaic {

class GuestMemory {
 public:
  GuestMemory(std::byte* host_base, std::uint64_t size) : base_(host_base), size_(size) {}

  std::uint64_t size() const { return size_; }
  std::byte* host_base() const { return base_; }

  bool contains(std::uint64_t address, std::uint64_t length) const {
    return address <= size_ && length <= size_ - address;
  }

  // Host view of [address, address + length), or nullptr when any byte of
  // it lies outside RAM.
  std::byte* host_pointer(std::uint64_t address, std::uint64_t length) const {
    return contains(address, length) ? base_ + address : nullptr;
  }

  bool read(std::uint64_t address, std::span<std::byte> out) const {
    const std::byte* source = host_pointer(address, out.size());
    if (source == nullptr) return false;
    std::memcpy(out.data(), source, out.size());
    return true;
  }

  bool write(std::uint64_t address, std::span<const std::byte> in) const {
    std::byte* target = host_pointer(address, in.size());
    if (target == nullptr) return false;
    std::memcpy(target, in.data(), in.size());
    return true;
  }

 private:
  std::byte* base_;
  std::uint64_t size_;
};

}  // namespace mosaic
