// The PAPR PCI host bridge (PHB): one logical PHB on which device plugins
// put PCI functions (mosaic/pci.hpp). It owns everything bus-side: the slot
// each function sits in, where its BARs are placed, which XICS source its
// INTx pin and its MSI-X vectors reach, the MMIO windows through which the
// guest reaches the BARs, and config space and MSI-X assignment through
// RTAS (phb_rtas.cpp).
//
// MSI-X as PAPR has it: the OS asks firmware for vectors with
// ibm,change-msi and learns each vector's interrupt source with
// ibm,query-interrupt-source-number; firmware (here) writes the table
// entries, whose message is a write of the source number to kMsiAddress.
// Each function's sources are set aside when it is added, one per vector,
// so a guest's requests never run the XICS out of sources.
// The device-tree node Linux's pseries PCI code reads is built in
// phb_device_tree.cpp.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include <spdlog/logger.h>

#include "mosaic/device_tree.hpp"
#include "mosaic/pci.hpp"
#include "rtas.hpp"
#include "tce_table.hpp"
#include "xics.hpp"

namespace mosaic::pseries {

// Where the PHB sits, as QEMU's first spapr PHB does (so guests and tools
// that know that layout find it): its BUID (the "reg" of its node, which
// the ibm,*-pci-config RTAS calls name), a 2 GiB 32-bit window seen on the
// bus at 2 GiB, and a 1 TiB 64-bit window at the same bus and CPU address.
// Both sit far above any RAM a guest can have.
struct PhbLayout {
  static constexpr std::uint64_t kBuid = 0x800000020000000;
  static constexpr std::uint64_t kWindow32Cpu = 0x200080000000;
  static constexpr std::uint64_t kWindow32Bus = 0x80000000;
  static constexpr std::uint64_t kWindow32Size = 0x80000000;
  static constexpr std::uint64_t kWindow64Cpu = 0x210000000000;
  static constexpr std::uint64_t kWindow64Bus = kWindow64Cpu;
  static constexpr std::uint64_t kWindow64Size = 0x10000000000;
  // The bus address MSI-X messages are written to, outside both windows
  // and any RAM (QEMU's spapr uses the same one).
  static constexpr std::uint64_t kMsiAddress = 0x40000000000;
};

class Phb {
 public:
  // Bus 0 only, one function per device number (PCI's 32 devices).
  static constexpr unsigned kSlots = 32;

  // `allocate_source` hands out XICS sources (the machine's allocator,
  // which throws SetupError when none is left).
  Phb(Xics& xics, GuestMemory& memory, std::function<std::uint32_t()> allocate_source,
      std::shared_ptr<spdlog::logger> log);
  ~Phb();
  Phb(const Phb&) = delete;
  Phb& operator=(const Phb&) = delete;

  // Puts the function in the next free slot and gives it its interrupt
  // sink and an INTx source. Throws SetupError when the bus is full.
  void add_function(std::shared_ptr<pci::Function> function);
  std::size_t function_count() const { return slots_.size(); }

  // The XICS source the function in `slot` drives with its INTx pin.
  std::uint32_t intx_source(unsigned slot) const { return slots_.at(slot)->intx_source; }

  // ibm,change-msi for MSI-X: gives the function in `config_address` up to
  // `requested` vectors (0 takes them all back) and programs their table
  // entries. The count granted, or nullopt when there is no such function
  // or it has no MSI-X.
  std::optional<unsigned> change_msix(std::uint32_t config_address, unsigned requested);
  // How many vectors the function holds now (nullopt: no such function).
  std::optional<unsigned> msix_granted(std::uint32_t config_address);
  // ibm,query-interrupt-source-number: the XICS source of a granted vector.
  std::optional<std::uint32_t> msix_source(std::uint32_t config_address, unsigned vector);

  // Firmware's part at every boot: places each function's memory BARs in
  // the windows (naturally aligned, 64-bit BARs in the 64-bit window) and
  // enables Memory Space and Bus Master, as PAPR firmware leaves them for
  // an OS that keeps firmware's assignment (linux,pci-probe-only).
  void assign_resources();

  // Config space by PAPR configuration address (bus << 16 | devfn << 8 |
  // register, with register bits 8-11 in address bits 24-27). nullopt:
  // no such function or a bad access, which RTAS answers with an error.
  std::optional<std::uint32_t> config_read(std::uint32_t config_address, unsigned size);
  bool config_write(std::uint32_t config_address, unsigned size, std::uint32_t value);

  // Loads and stores in the windows, by CPU (guest real) address; the
  // value is the bytes at the address as a little-endian integer.
  std::uint64_t mmio_read(std::uint64_t address, unsigned size);
  void mmio_write(std::uint64_t address, unsigned size, std::uint64_t value);

  // read-pci-config, write-pci-config and their ibm, forms (phb_rtas.cpp).
  void register_rtas_functions(Rtas& rtas);

  // The PHB's node and one node per function (phb_device_tree.cpp).
  std::vector<DeviceTreeNode> device_tree_nodes(std::uint32_t interrupt_controller_phandle) const;

  // Machine reset: every function back to its power-on state, no MSI-X
  // vector granted, the DMA window empty.
  void reset();

  TceTable& dma_window() { return dma_window_; }

  // Snapshots, with the vCPUs stopped: quiesce every function (no DMA
  // until resume_io), then save or restore each one with the vectors it
  // holds. restore() leaves the functions quiesced and throws StateError
  // for another set of functions.
  void quiesce();
  void resume_io();
  void save(StateWriter& out);
  void restore(StateReader& in);

 private:
  // A function in its slot; it is also the function's interrupt sink.
  struct Slot final : pci::InterruptSink {
    Slot(Phb& phb, unsigned number, std::shared_ptr<pci::Function> function)
        : phb(phb), number(number), function(std::move(function)) {}
    void set_intx(bool asserted) override;
    void signal_msi(std::uint64_t address, std::uint32_t data) override;

    Phb& phb;
    unsigned number;  // the PCI device number on bus 0
    std::shared_ptr<pci::Function> function;
    std::uint32_t intx_source = 0;
    std::vector<std::uint32_t> msi_sources;  // one per MSI-X vector
    // Written by RTAS on a vCPU thread, read by signal_msi on the device's.
    std::atomic<unsigned> msi_granted = 0;
    std::atomic<bool> warned_of_bad_message = false;
  };

  Slot* slot_at(std::uint32_t config_address);
  void program_msix(Slot& slot, unsigned granted);

  Slot* function_at(std::uint32_t config_address, unsigned size, std::uint32_t& register_offset);
  // The function whose BAR decodes `bus_address` (the lowest slot when BARs
  // overlap), with the BAR.
  std::pair<Slot*, pci::BarDecode> decode(std::uint64_t bus_address, unsigned size) const;
  static std::optional<std::uint64_t> bus_address(std::uint64_t cpu_address);

  Xics& xics_;
  TceTable dma_window_;
  std::function<std::uint32_t()> allocate_source_;
  std::shared_ptr<spdlog::logger> log_;
  std::vector<std::unique_ptr<Slot>> slots_;  // index = PCI device number
};

}  // namespace mosaic::pseries
