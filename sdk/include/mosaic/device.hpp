// Devices: third-party plugins that add MMIO regions, hypercalls, device-tree
// nodes and interrupts to a machine through a DeviceContext.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include <spdlog/logger.h>

#include "mosaic/device_tree.hpp"
#include "mosaic/guest_memory.hpp"
#include "mosaic/pci.hpp"

namespace mosaic {

// A load or store that hit a registered MMIO region; `offset` is relative to
// the region's base. Values travel in bus order: the bytes at offset,
// offset+1, ... are the value's least significant byte first, whatever the
// guest's byte order (a big-endian vCPU's stores arrive as the same bytes).
// The callbacks run on the thread of the vCPU that made the access, so
// they may run on several threads at once.
struct MmioRegion {
  std::uint64_t base = 0;
  std::uint64_t size = 0;
  std::function<std::uint64_t(std::uint64_t offset, unsigned size)> read;
  std::function<void(std::uint64_t offset, unsigned size, std::uint64_t value)> write;
};

// One hypercall as its handler sees it. Handlers fill `outputs` (r4 ...)
// and return the PAPR status that goes to r3.
struct HypercallCall {
  std::uint32_t vcpu = 0;
  std::uint64_t number = 0;
  std::array<std::uint64_t, 9> args{};  // r4 .. r12
  std::array<std::uint64_t, 9> outputs{};
  std::size_t output_count = 0;
};

using HypercallHandler = std::function<std::int64_t(HypercallCall& call)>;

class DeviceContext {
 public:
  virtual ~DeviceContext() = default;
  virtual GuestMemory& memory() = 0;
  // Throws SetupError when the region overlaps RAM or another region.
  virtual void register_mmio(MmioRegion region) = 0;
  // Throws SetupError when the number is taken.
  virtual void register_hypercall(std::uint64_t number, HypercallHandler handler) = 0;
  virtual void add_device_tree_node(DeviceTreeNode node) = 0;
  // A new interrupt source number, as the device tree should name it.
  virtual std::uint32_t allocate_interrupt() = 0;
  // Level-triggered: asserted until the device lowers it.
  virtual void set_interrupt(std::uint32_t source, bool asserted) = 0;
  // Puts a PCI function on the machine's host bridge, which attaches its
  // interrupt sink, places its BARs and describes it to the guest. Throws
  // SetupError when the bus is full.
  virtual void add_pci_function(std::shared_ptr<pci::Function> function) = 0;
  virtual std::shared_ptr<spdlog::logger> logger(std::string_view name) = 0;
};

class Device {
 public:
  virtual ~Device() = default;
  // Called once, after the machine is built and before any vCPU runs.
  // Creation (the factory) only validates options; realize() changes the
  // machine.
  virtual void realize(DeviceContext& context) = 0;
};

}  // namespace mosaic
