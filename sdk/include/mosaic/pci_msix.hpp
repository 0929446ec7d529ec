// pci::MsixTable: the MSI-X table and Pending Bit Array of one function
// (PCI Local Bus Specification 3.0, section 6.8.2), laid out in a BAR of
// its own: the table at offset 0 (16 bytes per vector: message address low
// and high, message data, vector control) and the PBA at kPbaOffset.
//
// A vector the function signals while it is masked (its Mask bit, or the
// Function Mask of Message Control) sets its pending bit instead of sending;
// unmasking sends it then. Every vector starts masked, as the specification
// requires. The table is plain storage the driver or the firmware programs;
// the PBA is read-only.
//
// Not thread-safe: pci::StandardFunction guards it with a mutex, and sends
// the messages the calls return after letting go of it.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <vector>

#include "mosaic/state.hpp"

namespace mosaic::pci {

// One message-signalled interrupt: the memory write the function makes.
struct MsiMessage {
  std::uint64_t address = 0;
  std::uint32_t data = 0;
  friend bool operator==(const MsiMessage&, const MsiMessage&) = default;
};

namespace msix {
inline constexpr std::uint8_t kCapabilityId = 0x11;
inline constexpr std::uint16_t kControlEnable = 1 << 15;
inline constexpr std::uint16_t kControlFunctionMask = 1 << 14;
inline constexpr std::uint32_t kEntrySize = 16;
inline constexpr std::uint32_t kVectorControlMask = 1;
}  // namespace msix

class MsixTable {
 public:
  static constexpr std::uint64_t kPbaOffset = 0x800;
  static constexpr std::uint64_t kBarSize = 0x1000;
  // As many vectors as fit before the PBA.
  static constexpr unsigned kMaxVectors = kPbaOffset / msix::kEntrySize;

  explicit MsixTable(unsigned vectors) : entries_(vectors), pending_(vectors) {
    if (vectors == 0 || vectors > kMaxVectors) throw std::invalid_argument("MSI-X: 1 to 128 vectors");
    reset();
  }

  unsigned size() const { return static_cast<unsigned>(entries_.size()); }
  bool enabled() const { return enabled_; }

  // Message Control's Enable and Function Mask bits as the driver wrote
  // them. Returns the pending messages that this unmasked.
  std::vector<MsiMessage> set_control(bool enabled, bool function_masked) {
    enabled_ = enabled;
    function_masked_ = function_masked;
    return release_pending();
  }

  // Table and PBA accesses: 4 or 8 bytes, naturally aligned (6.8.2: other
  // accesses are undefined; they read as zero and write nothing here).
  std::uint64_t read(std::uint64_t offset, unsigned size) const {
    if (!valid(offset, size)) return 0;
    std::uint64_t value = 0;
    for (unsigned i = 0; i < size; i += 4) value |= std::uint64_t{read_dword(offset + i)} << (8 * i);
    return value;
  }

  // Returns the pending messages that an unmasking write released.
  std::vector<MsiMessage> write(std::uint64_t offset, unsigned size, std::uint64_t value) {
    if (!valid(offset, size) || offset >= kPbaOffset) return {};  // the PBA is read-only
    for (unsigned i = 0; i < size; i += 4) write_dword(offset + i, static_cast<std::uint32_t>(value >> (8 * i)));
    return release_pending();
  }

  // The function signals `vector`: the message to send now, or nullopt
  // when MSI-X is off (the caller falls back to INTx), the vector does not
  // exist, or it is masked (then it is pending).
  std::optional<MsiMessage> signal(unsigned vector) {
    if (!enabled_ || vector >= entries_.size()) return std::nullopt;
    if (masked(vector)) {
      pending_[vector] = true;
      return std::nullopt;
    }
    return message(vector);
  }

  // The firmware's part (PAPR ibm,change-msi): address and data of one
  // vector, leaving its mask alone.
  void program(unsigned vector, const MsiMessage& message) {
    if (vector >= entries_.size()) return;
    entries_[vector].address = message.address;
    entries_[vector].data = message.data;
  }

  // Snapshots: every entry and pending bit (Enable and Function Mask live
  // in config space, and come back through set_control).
  void save(StateWriter& out) const {
    out.u32(size());
    for (unsigned vector = 0; vector < size(); ++vector) {
      out.u64(entries_[vector].address);
      out.u32(entries_[vector].data);
      out.u32(entries_[vector].control);
      out.boolean(pending_[vector]);
    }
  }
  void restore(StateReader& in) {
    if (in.u32() != size()) throw StateError("saved state: an MSI-X table of another size");
    for (unsigned vector = 0; vector < size(); ++vector) {
      entries_[vector].address = in.u64() & ~std::uint64_t{3};
      entries_[vector].data = in.u32();
      entries_[vector].control = in.u32() & msix::kVectorControlMask;
      pending_[vector] = in.boolean();
    }
  }

  void reset() {
    enabled_ = false;
    function_masked_ = false;
    for (Entry& entry : entries_) entry = Entry{};
    pending_.assign(pending_.size(), false);
  }

 private:
  struct Entry {
    std::uint64_t address = 0;
    std::uint32_t data = 0;
    std::uint32_t control = msix::kVectorControlMask;
  };

  bool valid(std::uint64_t offset, unsigned size) const {
    if ((size != 4 && size != 8) || offset % size != 0) return false;
    if (offset < kPbaOffset) return offset + size <= entries_.size() * msix::kEntrySize;
    return offset + size <= kPbaOffset + 8 * ((entries_.size() + 63) / 64);
  }

  std::uint32_t read_dword(std::uint64_t offset) const {
    if (offset >= kPbaOffset) {
      const std::uint64_t first = (offset - kPbaOffset) * 8;
      std::uint32_t bits = 0;
      for (unsigned i = 0; i < 32 && first + i < pending_.size(); ++i) bits |= std::uint32_t{pending_[first + i]} << i;
      return bits;
    }
    const Entry& entry = entries_[offset / msix::kEntrySize];
    switch (offset % msix::kEntrySize) {
      case 0: return static_cast<std::uint32_t>(entry.address);
      case 4: return static_cast<std::uint32_t>(entry.address >> 32);
      case 8: return entry.data;
      default: return entry.control;
    }
  }

  void write_dword(std::uint64_t offset, std::uint32_t value) {
    Entry& entry = entries_[offset / msix::kEntrySize];
    switch (offset % msix::kEntrySize) {
      // The address is dword aligned: its two low bits are read-only zeros.
      case 0: entry.address = (entry.address & ~0xffffffffull) | (value & ~3u); break;
      case 4: entry.address = (entry.address & 0xffffffffull) | std::uint64_t{value} << 32; break;
      case 8: entry.data = value; break;
      default: entry.control = value & msix::kVectorControlMask; break;  // the other bits are reserved
    }
  }

  bool masked(unsigned vector) const {
    return function_masked_ || (entries_[vector].control & msix::kVectorControlMask);
  }
  MsiMessage message(unsigned vector) const { return {entries_[vector].address, entries_[vector].data}; }

  std::vector<MsiMessage> release_pending() {
    std::vector<MsiMessage> released;
    if (!enabled_) return released;
    for (unsigned vector = 0; vector < entries_.size(); ++vector) {
      if (pending_[vector] && !masked(vector)) {
        pending_[vector] = false;
        released.push_back(message(vector));
      }
    }
    return released;
  }

  std::vector<Entry> entries_;
  std::vector<bool> pending_;
  bool enabled_ = false;
  bool function_masked_ = false;
};

}  // namespace mosaic::pci
