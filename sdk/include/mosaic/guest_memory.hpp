// Guest physical memory as seen from the host: one contiguous block of RAM
// starting at guest physical address 0. Accessors never read or write
// outside it, whatever address the guest supplies.
//
// Writes the host makes on the guest's behalf (a device's DMA, a hypercall
// that fills a page) go through write()/write_le(), or are reported with
// notify_written() when made through host_pointer(): an accelerator that
// keeps decoded copies of guest code listens, and drops what was overwritten.
#pragma once

#include <atomic>
#include <bit>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>

namespace mosaic {

class GuestMemory {
 public:
  using WriteListener = std::function<void(std::uint64_t address, std::uint64_t length)>;

  GuestMemory(std::byte* host_base, std::uint64_t size) : base_(host_base), size_(size) {}
  GuestMemory(const GuestMemory&) = delete;
  GuestMemory& operator=(const GuestMemory&) = delete;

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
    notify_written(address, in.size());
    return true;
  }

  // Little-endian values, as virtio and PCI lay them out; nullopt / false
  // when any byte lies outside RAM. Each reads guest memory exactly once.
  template <std::unsigned_integral T>
  std::optional<T> read_le(std::uint64_t address) const {
    const std::byte* source = host_pointer(address, sizeof(T));
    if (source == nullptr) return std::nullopt;
    T value;
    std::memcpy(&value, source, sizeof(T));
    return to_little(value);
  }
  template <std::unsigned_integral T>
  bool write_le(std::uint64_t address, T value) const {
    const T raw = to_little(value);
    return write(address, std::as_bytes(std::span(&raw, 1)));
  }

  // Indices shared with vCPUs (virtqueue rings): atomic, so they need
  // natural alignment; a misaligned or outside address gives nullopt / false.
  std::optional<std::uint16_t> load_acquire_le16(std::uint64_t address) const {
    std::uint16_t* p = aligned16(address);
    if (p == nullptr) return std::nullopt;
    return to_little(std::atomic_ref<std::uint16_t>(*p).load(std::memory_order_acquire));
  }
  bool store_release_le16(std::uint64_t address, std::uint16_t value) const {
    std::uint16_t* p = aligned16(address);
    if (p == nullptr) return false;
    std::atomic_ref<std::uint16_t>(*p).store(to_little(value), std::memory_order_release);
    notify_written(address, 2);
    return true;
  }

  // Set by the accelerator before any vCPU or device runs, cleared (with an
  // empty function) before it goes; called on the writing thread.
  void set_write_listener(WriteListener listener) {
    std::lock_guard lock(listener_mutex_);
    listener_ = listener ? std::make_shared<const WriteListener>(std::move(listener)) : nullptr;
  }
  void notify_written(std::uint64_t address, std::uint64_t length) const {
    std::shared_ptr<const WriteListener> listener;
    {
      std::lock_guard lock(listener_mutex_);
      listener = listener_;
    }
    if (listener && length != 0) (*listener)(address, length);
  }

 private:
  template <class T>
  static T to_little(T value) {
    if constexpr (std::endian::native == std::endian::little || sizeof(T) == 1) {
      return value;
    } else if constexpr (sizeof(T) == 2) {
      return __builtin_bswap16(value);
    } else if constexpr (sizeof(T) == 4) {
      return __builtin_bswap32(value);
    } else {
      return __builtin_bswap64(value);
    }
  }
  std::uint16_t* aligned16(std::uint64_t address) const {
    if (address % 2 != 0 || !contains(address, 2)) return nullptr;
    return reinterpret_cast<std::uint16_t*>(base_ + address);
  }

  std::byte* base_;
  std::uint64_t size_;
  mutable std::mutex listener_mutex_;
  std::shared_ptr<const WriteListener> listener_;
};

}  // namespace mosaic
