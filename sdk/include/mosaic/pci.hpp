// A PCI function as the machine's host bridge sees it. Device plugins build
// one (mosaic/pci_function.hpp implements the standard type-0 header, BARs,
// the capability list and MSI-X; mosaic/virtio/ builds a virtio-pci function
// on it) and hand it to DeviceContext::add_pci_function(). The bridge owns
// everything bus-side: slot numbers, where BARs sit, which interrupt source
// a pin or an MSI-X vector reaches.
//
// Byte order: config space and BAR accesses carry the value of the bytes at
// the accessed address read as a little-endian integer (PCI is a
// little-endian bus), whatever the byte order of the vCPU that made them.
//
// Threads: config_* and bar_* are called on vCPU threads (RTAS, MMIO),
// possibly on several at once; implementations serialise themselves.
// InterruptSink methods may be called from any thread.
#pragma once

#include <cstdint>
#include <optional>

#include "mosaic/state.hpp"

namespace mosaic::pci {

inline constexpr unsigned kConfigSpaceSize = 256;  // conventional PCI; no extended space
inline constexpr unsigned kBarCount = 6;

// Where a function's interrupts go. The host bridge implements it.
class InterruptSink {
 public:
  virtual ~InterruptSink() = default;
  // The level of the function's INTx pin (its Interrupt Pin register names
  // which); the bridge routes it as the device tree's interrupt-map says.
  virtual void set_intx(bool asserted) = 0;
  // A message-signalled interrupt: the memory write an MSI-X table entry
  // describes. The bridge decodes it to an interrupt source; a write it
  // does not recognise is dropped (and logged once).
  virtual void signal_msi(std::uint64_t address, std::uint32_t data) = 0;
};

// One decoded memory BAR: where the guest (or the bridge) placed it.
struct BarDecode {
  unsigned index = 0;        // 0..5; a 64-bit BAR is named by its low half
  std::uint64_t address = 0;  // bus address, which the PHB maps 1:1 to guest real addresses
  std::uint64_t size = 0;     // a power of two
};

class Function {
 public:
  virtual ~Function() = default;

  // Config space, offset < kConfigSpaceSize, size 1, 2 or 4 and naturally
  // aligned (the bridge refuses anything else before calling).
  virtual std::uint32_t config_read(std::uint32_t offset, unsigned size) = 0;
  virtual void config_write(std::uint32_t offset, unsigned size, std::uint32_t value) = 0;

  // The memory BAR `index` as implemented: its size (0: no BAR there) and
  // whether it is 64-bit. The bridge uses this to place BARs at start-up.
  virtual std::uint64_t bar_size(unsigned index) const = 0;
  virtual bool bar_is_64bit(unsigned index) const = 0;
  // Which BAR decodes `address` right now, if any: none while the Command
  // register's Memory Space bit is clear.
  virtual std::optional<BarDecode> decode(std::uint64_t address) const = 0;
  // An access inside a BAR; `offset` is from the BAR's base and
  // offset + size <= the BAR's size.
  virtual std::uint64_t bar_read(unsigned index, std::uint64_t offset, unsigned size) = 0;
  virtual void bar_write(unsigned index, std::uint64_t offset, unsigned size, std::uint64_t value) = 0;

  // MSI-X: how many vectors the function has (0: no MSI-X capability), and
  // the bridge programming one table entry, as PAPR firmware does for the
  // OS in ibm,change-msi.
  virtual unsigned msix_vector_count() const = 0;
  virtual void program_msix_vector(unsigned vector, std::uint64_t address, std::uint32_t data) = 0;

  // Called once, before any config access, with the sink that lives as
  // long as the machine.
  virtual void attach(InterruptSink& sink) = 0;
  // Power-on state (guest reboot): config registers, BARs and device state.
  virtual void reset() = 0;

  // Snapshots, with every vCPU stopped (the bridge calls them). quiesce()
  // returns once the function touches guest memory no more: requests it
  // took are finished and it takes no new ones until resume_io(). Then
  // save_state() writes everything the function holds (config space, its
  // registers, the device's own state); restore_state() takes it back on
  // a function built from the same config, leaving it quiesced, and throws
  // StateError for anything it cannot take.
  virtual void quiesce() = 0;
  virtual void resume_io() = 0;
  virtual void save_state(StateWriter& out) = 0;
  virtual void restore_state(StateReader& in) = 0;
};

}  // namespace mosaic::pci
