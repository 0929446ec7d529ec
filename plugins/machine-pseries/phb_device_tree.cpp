// The PHB as Linux's pseries PCI code reads it (LoPAPR, QEMU's
// spapr_dt_phb and spapr_dt_pci_device): a node for the bridge with its
// windows and INTx routing, and a node for each function, because a PAPR
// guest builds its PCI devices from the device tree (PCI_PROBE_DEVTREE)
// and then reaches config space through RTAS.
//
// The DMA window (ibm,dma-window) is the TCE table of tce_table.hpp:
// Debian's 6.1 kernel dereferences the window of every PCI device's PHB
// (pci_dma_find), so a PHB without one, as kvmtool's, panics it. The
// virtio devices still use guest real addresses: they do not negotiate
// VIRTIO_F_ACCESS_PLATFORM.
// MSI-X: a function node's ibm,req#msi-x says how many vectors it may
// ask ibm,change-msi for, and ibm,pe-total-#msi on the bridge is the pool
// Linux divides among the functions (its msi_quota_for_device); it is
// sized so that every function's share covers all of its vectors.
// Left out: EEH tokens (ibm,set-eeh-option ...), so Linux runs with EEH
// off.
#include <algorithm>

#include <fmt/format.h>

#include "fdt_builder.hpp"
#include "phb.hpp"

namespace mosaic::pseries {

namespace {

using P = DeviceTreeProperty;

// The phys.hi cell of a PCI address (IEEE 1275 PCI binding): n (not
// relocatable), ss (space: 2 = 32-bit memory, 3 = 64-bit memory), bus,
// device, function and register.
std::uint32_t phys_hi(bool assigned, bool wide, unsigned device, std::uint32_t reg) {
  const std::uint32_t space = reg == 0 ? 0 : (wide ? 3u : 2u);
  return (assigned ? 0x80000000u : 0) | space << 24 | device << 11 | reg;
}

}  // namespace

std::vector<DeviceTreeNode> Phb::device_tree_nodes(std::uint32_t interrupt_controller_phandle) const {
  const std::string path = fmt::format("/pci@{:x}", PhbLayout::kBuid);
  auto high = [](std::uint64_t value) { return static_cast<std::uint32_t>(value >> 32); };
  auto low = [](std::uint64_t value) { return static_cast<std::uint32_t>(value); };
  std::vector<std::uint32_t> ranges{
      0x02000000, high(PhbLayout::kWindow32Bus), low(PhbLayout::kWindow32Bus),
      high(PhbLayout::kWindow32Cpu), low(PhbLayout::kWindow32Cpu),
      high(PhbLayout::kWindow32Size), low(PhbLayout::kWindow32Size),
      0x03000000, high(PhbLayout::kWindow64Bus), low(PhbLayout::kWindow64Bus),
      high(PhbLayout::kWindow64Cpu), low(PhbLayout::kWindow64Cpu),
      high(PhbLayout::kWindow64Size), low(PhbLayout::kWindow64Size)};
  // Every pin of a slot reaches that slot's own LSI (level: sense cell 1).
  std::vector<std::uint32_t> interrupt_map;
  for (const auto& slot : slots_) {
    for (std::uint32_t pin = 1; pin <= 4; ++pin) {
      interrupt_map.insert(interrupt_map.end(),
                           {slot->number << 11, 0, 0, pin, interrupt_controller_phandle, slot->intx_source, 1});
    }
  }
  unsigned most_vectors = 0;
  for (const auto& slot : slots_) most_vectors = std::max(most_vectors, slot->function->msix_vector_count());
  const auto msi_pool = static_cast<std::uint32_t>(most_vectors * slots_.size());
  std::vector<DeviceTreeNode> nodes;
  nodes.push_back({path,
                   {P::string("device_type", "pci"), P::string("compatible", "IBM,Logical_PHB"),
                    u64_cells_property("reg", {PhbLayout::kBuid, 0}), P::cells("#address-cells", {3}),
                    P::cells("#size-cells", {2}), P::cells("#interrupt-cells", {1}), P::cells("bus-range", {0, 0xff}),
                    cell_vector_property("ranges", ranges), P::cells("ibm,pci-config-space-type", {1}),
                    P::cells("interrupt-map-mask", {0xf800, 0, 0, 7}),
                    P::cells("ibm,#dma-address-cells", {2}), P::cells("ibm,#dma-size-cells", {2}),
                    P::cells("ibm,dma-window", {TceTable::kLiobn, high(TceTable::kWindowBus), low(TceTable::kWindowBus),
                                                high(TceTable::kWindowSize), low(TceTable::kWindowSize)}),
                    P::cells("ibm,pe-total-#msi", {msi_pool}),
                    cell_vector_property("interrupt-map", interrupt_map)}});

  for (const auto& slot : slots_) {
    pci::Function& function = *slot->function;
    const std::uint32_t ids = function.config_read(0x00, 4);
    const std::uint32_t class_revision = function.config_read(0x08, 4);
    const std::uint32_t subsystem = function.config_read(0x2c, 4);
    const std::uint32_t pin = function.config_read(0x3d, 1);
    std::vector<std::uint32_t> reg{phys_hi(false, false, slot->number, 0), 0, 0, 0, 0};
    std::vector<std::uint32_t> assigned;
    for (unsigned index = 0; index < pci::kBarCount; ++index) {
      const std::uint64_t size = function.bar_size(index);
      if (size == 0) continue;
      const bool wide = function.bar_is_64bit(index);
      const std::uint32_t bar_register = 0x10 + 4 * index;
      std::uint64_t address = function.config_read(bar_register, 4) & ~0xfull;
      if (wide) address |= std::uint64_t{function.config_read(bar_register + 4, 4)} << 32;
      reg.insert(reg.end(), {phys_hi(false, wide, slot->number, bar_register), 0, 0, high(size), low(size)});
      assigned.insert(assigned.end(),
                      {phys_hi(true, wide, slot->number, bar_register), high(address), low(address), high(size), low(size)});
    }
    std::vector<P> properties{
        cell_vector_property("reg", reg), cell_vector_property("assigned-addresses", assigned),
        P::cells("vendor-id", {ids & 0xffff}), P::cells("device-id", {ids >> 16}),
        P::cells("revision-id", {class_revision & 0xff}), P::cells("class-code", {class_revision >> 8}),
        P::cells("subsystem-vendor-id", {subsystem & 0xffff}), P::cells("subsystem-id", {subsystem >> 16})};
    if (pin != 0) properties.push_back(P::cells("interrupts", {pin}));
    if (const unsigned vectors = function.msix_vector_count(); vectors != 0) {
      properties.push_back(P::cells("ibm,req#msi-x", {vectors}));
    }
    nodes.push_back({fmt::format("{}/pci{:x},{:x}@{:x}", path, ids & 0xffff, ids >> 16, slot->number),
                     std::move(properties)});
  }
  return nodes;
}

}  // namespace mosaic::pseries
