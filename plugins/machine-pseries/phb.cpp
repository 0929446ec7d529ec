#include "phb.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "mosaic/errors.hpp"

namespace mosaic::pseries {

Phb::Phb(Xics& xics, GuestMemory& memory, std::function<std::uint32_t()> allocate_source,
         std::shared_ptr<spdlog::logger> log)
    : xics_(xics), dma_window_(memory), allocate_source_(std::move(allocate_source)), log_(std::move(log)) {}

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
  for (unsigned vector = 0; vector < slot->function->msix_vector_count(); ++vector) {
    slot->msi_sources.push_back(allocate_source_());
    xics_.make_message_source(slot->msi_sources.back());
  }
  slot->function->attach(*slot);
  log_->debug("PCI 0000:00:{:02x}.0: INTx on source {:#x}, {} MSI-X vectors", slot->number, slot->intx_source,
              slot->msi_sources.size());
  slots_.push_back(std::move(slot));
}

void Phb::reset() {
  dma_window_.reset();
  for (const auto& slot : slots_) {
    slot->function->reset();
    slot->msi_granted = 0;
  }
}

Phb::Slot* Phb::slot_at(std::uint32_t config_address) {
  std::uint32_t offset = 0;
  return function_at(config_address & 0xffff00, 4, offset);
}

std::optional<unsigned> Phb::change_msix(std::uint32_t config_address, unsigned requested) {
  Slot* slot = slot_at(config_address);
  if (slot == nullptr || (slot->msi_sources.empty() && requested != 0)) return std::nullopt;
  const unsigned granted = std::min<unsigned>(requested, static_cast<unsigned>(slot->msi_sources.size()));
  program_msix(*slot, granted);
  log_->debug("PCI 0000:00:{:02x}.0: {} of {} MSI-X vectors asked for granted", slot->number, granted, requested);
  return granted;
}

// Granted vectors send their source number to kMsiAddress; the others get
// an empty entry, whose messages the bridge drops.
void Phb::program_msix(Slot& slot, unsigned granted) {
  slot.msi_granted = 0;
  for (unsigned vector = 0; vector < slot.msi_sources.size(); ++vector) {
    if (vector < granted) slot.function->program_msix_vector(vector, PhbLayout::kMsiAddress, slot.msi_sources[vector]);
    else slot.function->program_msix_vector(vector, 0, 0);
  }
  slot.msi_granted = granted;
}

std::optional<unsigned> Phb::msix_granted(std::uint32_t config_address) {
  Slot* slot = slot_at(config_address);
  if (slot == nullptr) return std::nullopt;
  return slot->msi_granted.load();
}

std::optional<std::uint32_t> Phb::msix_source(std::uint32_t config_address, unsigned vector) {
  Slot* slot = slot_at(config_address);
  if (slot == nullptr || vector >= slot->msi_granted) return std::nullopt;
  return slot->msi_sources[vector];
}

void Phb::assign_resources() {
  std::uint64_t next32 = PhbLayout::kWindow32Bus;
  std::uint64_t next64 = PhbLayout::kWindow64Bus;
  for (const auto& slot : slots_) {
    pci::Function& function = *slot->function;
    for (unsigned index = 0; index < pci::kBarCount; ++index) {
      const std::uint64_t size = function.bar_size(index);
      if (size == 0) continue;
      const bool wide = function.bar_is_64bit(index);
      std::uint64_t& next = wide ? next64 : next32;
      const std::uint64_t base = (next + size - 1) & ~(size - 1);
      const std::uint64_t limit = wide ? PhbLayout::kWindow64Bus + PhbLayout::kWindow64Size
                                       : PhbLayout::kWindow32Bus + PhbLayout::kWindow32Size;
      if (base + size > limit || base + size < base) {
        throw SetupError(fmt::format("PCI 0000:00:{:02x}.0: BAR {} of {:#x} bytes does not fit the host bridge's "
                                     "{}-bit window", slot->number, index, size, wide ? 64 : 32));
      }
      next = base + size;
      function.config_write(0x10 + 4 * index, 4, static_cast<std::uint32_t>(base));
      if (wide) function.config_write(0x10 + 4 * (index + 1), 4, static_cast<std::uint32_t>(base >> 32));
      log_->debug("PCI 0000:00:{:02x}.0: BAR {} at bus address {:#x}, {:#x} bytes", slot->number, index, base, size);
      if (wide) ++index;
    }
    // Memory Space and Bus Master, as firmware leaves a device it assigned.
    function.config_write(0x04, 2, 0x6);
  }
}

Phb::Slot* Phb::function_at(std::uint32_t config_address, unsigned size, std::uint32_t& register_offset) {
  const std::uint32_t bus = (config_address >> 16) & 0xff;
  const std::uint32_t devfn = (config_address >> 8) & 0xff;
  register_offset = (config_address & 0xff) | ((config_address >> 16) & 0xf00);
  if (bus != 0 || (devfn & 7) != 0 || (devfn >> 3) >= slots_.size()) return nullptr;
  if ((size != 1 && size != 2 && size != 4) || register_offset % size != 0 ||
      register_offset + size > pci::kConfigSpaceSize) {
    return nullptr;
  }
  return slots_[devfn >> 3].get();
}

std::optional<std::uint32_t> Phb::config_read(std::uint32_t config_address, unsigned size) {
  std::uint32_t offset = 0;
  Slot* slot = function_at(config_address, size, offset);
  if (slot == nullptr) return std::nullopt;
  return slot->function->config_read(offset, size);
}

bool Phb::config_write(std::uint32_t config_address, unsigned size, std::uint32_t value) {
  std::uint32_t offset = 0;
  Slot* slot = function_at(config_address, size, offset);
  if (slot == nullptr) return false;
  slot->function->config_write(offset, size, value);
  return true;
}

std::optional<std::uint64_t> Phb::bus_address(std::uint64_t cpu_address) {
  if (cpu_address >= PhbLayout::kWindow32Cpu && cpu_address - PhbLayout::kWindow32Cpu < PhbLayout::kWindow32Size) {
    return cpu_address - PhbLayout::kWindow32Cpu + PhbLayout::kWindow32Bus;
  }
  if (cpu_address >= PhbLayout::kWindow64Cpu && cpu_address - PhbLayout::kWindow64Cpu < PhbLayout::kWindow64Size) {
    return cpu_address - PhbLayout::kWindow64Cpu + PhbLayout::kWindow64Bus;
  }
  return std::nullopt;
}

std::pair<Phb::Slot*, pci::BarDecode> Phb::decode(std::uint64_t bus_address, unsigned size) const {
  for (const auto& slot : slots_) {
    const auto bar = slot->function->decode(bus_address);
    // An access that runs past the end of the BAR reaches no register.
    if (bar && bus_address - bar->address + size <= bar->size) return {slot.get(), *bar};
  }
  return {nullptr, {}};
}

std::uint64_t Phb::mmio_read(std::uint64_t address, unsigned size) {
  const auto bus = bus_address(address);
  if (!bus) return ~std::uint64_t{0};
  const auto [slot, bar] = decode(*bus, size);
  // Nothing answers: the read floats high, as on a real bus.
  if (slot == nullptr) return ~std::uint64_t{0};
  return slot->function->bar_read(bar.index, *bus - bar.address, size);
}

void Phb::mmio_write(std::uint64_t address, unsigned size, std::uint64_t value) {
  const auto bus = bus_address(address);
  if (!bus) return;
  const auto [slot, bar] = decode(*bus, size);
  if (slot != nullptr) slot->function->bar_write(bar.index, *bus - bar.address, size, value);
}

void Phb::Slot::set_intx(bool asserted) { phb.xics_.set_level(intx_source, asserted); }

void Phb::Slot::signal_msi(std::uint64_t address, std::uint32_t data) {
  // Only the messages this bridge programmed reach the XICS: the guest can
  // rewrite the table, and a function may not raise another's sources.
  const auto granted = msi_sources.begin() + msi_granted.load();
  if (address == PhbLayout::kMsiAddress && std::find(msi_sources.begin(), granted, data) != granted) {
    phb.xics_.send_message(data);
    return;
  }
  if (!warned_of_bad_message.exchange(true)) {
    phb.log_->warn("PCI 0000:00:{:02x}.0: MSI write of {:#x} to {:#x} is no vector of its; dropped (logged once)",
                   number, data, address);
  }
}

void Phb::quiesce() {
  for (const auto& slot : slots_) slot->function->quiesce();
}

void Phb::resume_io() {
  for (const auto& slot : slots_) slot->function->resume_io();
}

void Phb::save(StateWriter& out) {
  out.tag("phb");
  out.u32(static_cast<std::uint32_t>(slots_.size()));
  for (const auto& slot : slots_) {
    out.u32(slot->function->config_read(0, 4));  // the IDs: the same device in the same slot
    out.u32(slot->msi_granted);
    slot->function->save_state(out);
  }
  dma_window_.save(out);
}

void Phb::restore(StateReader& in) {
  in.expect_tag("phb");
  if (in.u32() != slots_.size()) throw StateError("saved state: another number of PCI functions");
  for (const auto& slot : slots_) {
    const std::uint32_t ids = in.u32();
    if (ids != slot->function->config_read(0, 4)) {
      throw StateError(fmt::format("saved state: PCI 0000:00:{:02x}.0 was {:04x}:{:04x}, is {:04x}:{:04x}", slot->number,
                                   ids & 0xffff, ids >> 16, slot->function->config_read(0, 2),
                                   slot->function->config_read(2, 2)));
    }
    const std::uint32_t granted = in.u32();
    if (granted > slot->msi_sources.size()) throw StateError("saved state: more MSI-X vectors than the function has");
    slot->function->quiesce();
    slot->function->restore_state(in);
    // The table entries came back with the function; the bridge's record
    // of which of them it programmed comes back here.
    slot->msi_granted = granted;
  }
  dma_window_.restore(in);
}

}  // namespace mosaic::pseries
