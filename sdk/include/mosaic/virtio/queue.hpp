// The split virtqueue (virtio 1.2 section 2.7) from the device's side: it
// reads the driver's rings in guest memory and yields only validated
// descriptor chains, whose buffers lie wholly inside RAM. Every index,
// address, length and chain the guest supplies is checked; a malformed ring
// is an error the transport answers with DEVICE_NEEDS_RESET, never a crash.
// Each guest value is read once (no double fetch).
//
// Threads: a SplitQueue is not thread-safe; the transport serialises pop()
// and push() per queue.
#pragma once

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "mosaic/guest_memory.hpp"
#include "mosaic/virtio/spec.hpp"

namespace mosaic::virtio {

// One request: the device reads its readable buffers and writes its
// writable ones; both are host views of guest RAM.
struct Chain {
  std::uint16_t head = 0;
  std::vector<std::span<std::byte>> readable;
  std::vector<std::span<std::byte>> writable;
  std::uint64_t readable_bytes = 0;
  std::uint64_t writable_bytes = 0;

  // Gathers readable bytes from `offset` into `out`; returns how many
  // there were (fewer when the chain is shorter).
  std::size_t read(std::uint64_t offset, std::span<std::byte> out) const {
    return copy_spans(readable, offset, out.size(), [&](std::byte* guest, std::size_t done, std::size_t count) {
      std::memcpy(out.data() + done, guest, count);
    });
  }
  // Scatters `in` into the writable buffers from `offset`; returns how many
  // bytes fitted.
  std::size_t write(std::uint64_t offset, std::span<const std::byte> in) const {
    return copy_spans(writable, offset, in.size(), [&](std::byte* guest, std::size_t done, std::size_t count) {
      std::memcpy(guest, in.data() + done, count);
    });
  }

 private:
  template <class Copy>
  static std::size_t copy_spans(const std::vector<std::span<std::byte>>& spans, std::uint64_t offset,
                                std::size_t wanted, Copy copy) {
    std::size_t done = 0;
    for (const auto& span : spans) {
      if (done == wanted) break;
      if (offset >= span.size()) {
        offset -= span.size();
        continue;
      }
      const std::size_t count = std::min<std::size_t>(span.size() - offset, wanted - done);
      copy(span.data() + offset, done, count);
      done += count;
      offset = 0;
    }
    return done;
  }
};

// The driver-programmed layout of one queue (common configuration).
struct QueueLayout {
  std::uint16_t size = 0;
  std::uint64_t descriptors = 0;
  std::uint64_t driver_area = 0;  // the available ring
  std::uint64_t device_area = 0;  // the used ring
};

class SplitQueue {
 public:
  // Checks the layout against RAM and the alignment the spec requires
  // (2.7: 16 for descriptors, 2 for the available ring, 4 for the used
  // ring); on failure error() says why and the queue yields nothing.
  SplitQueue(GuestMemory& memory, const QueueLayout& layout, bool event_index)
      : memory_(memory), layout_(layout), event_index_(event_index) {
    const std::uint64_t size = layout.size;
    if (size == 0 || size > 32768 || !std::has_single_bit(size)) {
      fail("queue size " + std::to_string(size) + " is not a power of two up to 32768");
    } else if (layout.descriptors % 16 != 0 || layout.driver_area % 2 != 0 || layout.device_area % 4 != 0) {
      fail("a ring is misaligned");
    } else if (!memory.contains(layout.descriptors, size * descriptor::kSize) ||
               !memory.contains(layout.driver_area, 6 + 2 * size) ||
               !memory.contains(layout.device_area, 6 + 8 * size)) {
      fail("a ring lies outside guest RAM");
    }
  }

  const std::string& error() const { return error_; }
  bool broken() const { return !error_.empty(); }

  // Snapshots: where the device is in the rings (the next available entry
  // it takes, the next used entry it gives), and going on from there.
  std::pair<std::uint16_t, std::uint16_t> positions() const { return {last_available_, used_}; }
  void set_positions(std::uint16_t last_available, std::uint16_t used) {
    last_available_ = last_available;
    used_ = used;
  }

  // The next available chain, or nullopt when the driver has made none
  // available (or the ring is broken: check broken()).
  std::optional<Chain> pop() {
    if (broken()) return std::nullopt;
    const std::uint16_t available = load_acquire(layout_.driver_area + 2);
    const std::uint16_t pending = static_cast<std::uint16_t>(available - last_available_);
    if (pending == 0) return std::nullopt;
    if (pending > layout_.size) {
      fail("the available index ran " + std::to_string(pending) + " entries ahead of the device");
      return std::nullopt;
    }
    const std::uint16_t head = load_le16(layout_.driver_area + 4 + 2 * (last_available_ % layout_.size));
    ++last_available_;
    // 2.7.10: the device tells the driver which index it wants a
    // notification for: the next one.
    if (event_index_) store_release(layout_.device_area + 4 + 8 * std::uint64_t{layout_.size}, last_available_);
    auto chain = walk(head);
    if (!chain) return std::nullopt;
    return chain;
  }

  // Returns a chain to the driver with `written` bytes written. True when
  // the driver wants an interrupt for it (2.7.7, 2.7.10).
  bool push(std::uint16_t head, std::uint32_t written) {
    if (broken()) return false;
    const std::uint64_t entry = layout_.device_area + 4 + 8 * static_cast<std::uint64_t>(used_ % layout_.size);
    store_le32(entry, head);
    store_le32(entry + 4, written);
    const std::uint16_t old_used = used_;
    ++used_;
    store_release(layout_.device_area + 2, used_);
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if (event_index_) {
      const std::uint16_t event = load_acquire(layout_.driver_area + 4 + 2 * std::uint64_t{layout_.size});
      return static_cast<std::uint16_t>(used_ - event - 1) < static_cast<std::uint16_t>(used_ - old_used);
    }
    return !(load_acquire(layout_.driver_area) & kAvailNoInterrupt);
  }

 private:
  struct Descriptor {
    std::uint64_t address;
    std::uint32_t length;
    std::uint16_t flags;
    std::uint16_t next;
  };

  Descriptor read_descriptor(std::uint64_t table, std::uint32_t index) const {
    std::byte raw[descriptor::kSize];
    memory_.read(table + std::uint64_t{index} * descriptor::kSize, raw);
    Descriptor d{};
    d.address = le64(raw);
    d.length = le32(raw + 8);
    d.flags = le16(raw + 12);
    d.next = le16(raw + 14);
    return d;
  }

  std::optional<Chain> walk(std::uint16_t head) {
    if (head >= layout_.size) return fail_chain("head index " + std::to_string(head) + " is out of range");
    Chain chain;
    chain.head = head;
    std::uint64_t table = layout_.descriptors;
    std::uint32_t table_size = layout_.size;
    std::uint32_t index = head;
    bool indirect = false;
    // A chain has at most as many descriptors as its table: more means a loop.
    for (std::uint32_t visited = 0;; ++visited) {
      if (visited >= table_size) return fail_chain("a descriptor chain loops");
      const Descriptor d = read_descriptor(table, index);
      if (d.flags & descriptor::kIndirect) {
        if (indirect) return fail_chain("an indirect table names another");
        if (d.flags & descriptor::kNext) return fail_chain("an indirect descriptor has NEXT set");
        if (d.length == 0 || d.length % descriptor::kSize != 0 || d.length / descriptor::kSize > 32768) {
          return fail_chain("an indirect table has a bad length");
        }
        if (d.address % 16 != 0 || !memory_.contains(d.address, d.length)) {
          return fail_chain("an indirect table lies outside guest RAM");
        }
        indirect = true;
        table = d.address;
        table_size = d.length / descriptor::kSize;
        index = 0;
        visited = static_cast<std::uint32_t>(-1);  // the walk starts again inside the table
        continue;
      }
      std::byte* host = memory_.host_pointer(d.address, d.length);
      if (host == nullptr) return fail_chain("a buffer lies outside guest RAM");
      const std::span<std::byte> buffer(host, d.length);
      if (d.flags & descriptor::kWrite) {
        chain.writable.push_back(buffer);
        chain.writable_bytes += d.length;
      } else {
        if (!chain.writable.empty()) return fail_chain("a readable buffer follows a writable one");
        chain.readable.push_back(buffer);
        chain.readable_bytes += d.length;
      }
      if (!(d.flags & descriptor::kNext)) return chain;
      if (d.next >= table_size) return fail_chain("a next index is out of range");
      index = d.next;
    }
  }

  std::optional<Chain> fail_chain(const std::string& why) {
    fail(why);
    return std::nullopt;
  }
  void fail(const std::string& why) {
    if (error_.empty()) error_ = why;
  }

  static std::uint16_t le16(const std::byte* p) {
    return static_cast<std::uint16_t>(std::to_integer<unsigned>(p[0]) | std::to_integer<unsigned>(p[1]) << 8);
  }
  static std::uint32_t le32(const std::byte* p) { return le16(p) | std::uint32_t{le16(p + 2)} << 16; }
  static std::uint64_t le64(const std::byte* p) { return le32(p) | std::uint64_t{le32(p + 4)} << 32; }

  // The constructor checked that the rings lie in RAM and are aligned, so
  // these cannot fail; value_or only keeps them total.
  std::uint16_t load_le16(std::uint64_t address) const { return memory_.read_le<std::uint16_t>(address).value_or(0); }
  void store_le32(std::uint64_t address, std::uint32_t value) { memory_.write_le(address, value); }
  std::uint16_t load_acquire(std::uint64_t address) const { return memory_.load_acquire_le16(address).value_or(0); }
  void store_release(std::uint64_t address, std::uint16_t value) { memory_.store_release_le16(address, value); }

  GuestMemory& memory_;
  QueueLayout layout_;
  bool event_index_;
  std::uint16_t last_available_ = 0;
  std::uint16_t used_ = 0;
  std::string error_;
};

}  // namespace mosaic::virtio
