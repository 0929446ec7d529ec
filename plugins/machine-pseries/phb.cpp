#include "phb.hpp"

#include <fmt/format.h>

#include "mosaic/errors.hpp"

namespace mosaic::pseries {

Phb::Phb(Xics& xics, std::function<std::uint32_t()> allocate_source, std::shared_ptr<spdlog::logger> log)
    : xics_(xics), allocate_source_(std::move(allocate_source)), log_(std::move(log)) {}

Phb::~Phb() = default;

void Phb::add_function(std::shared_ptr<pci::Function> function) {
  if (!function) throw SetupError("PCI: no function to add");
  if (slots_.size() == kSlots) {
    throw SetupError(fmt::format("PCI: the host bridge's bus is full ({} functions)", kSlots));
  }
  auto slot = std::make_unique<Slot>(*this, static_cast<unsigned>(slots_.size()), std::move(function));
  // Every slot gets its own LSI, so INTx needs no sharing or swizzling:
  // the interrupt-map names one source per device number.
  slot->intx_source = allocate_source_();
  slot->function->attach(*slot);
  log_->debug("PCI 0000:00:{:02x}.0: INTx on source {:#x}", slot->number, slot->intx_source);
  slots_.push_back(std::move(slot));
}

void Phb::Slot::set_intx(bool asserted) { phb.xics_.set_level(intx_source, asserted); }

void Phb::Slot::signal_msi(std::uint64_t address, std::uint32_t data) {
  // No MSI-X vector is programmed by this bridge yet, so any message is
  // one the bridge does not recognise: dropped, as pci.hpp says.
  phb.log_->warn("PCI 0000:00:{:02x}.0: MSI write of {:#x} to {:#x} not recognised; dropped", number, data, address);
}

}  // namespace mosaic::pseries
