// A PCI function for the host bridge's tests: a type-0 header kept as bytes,
// memory BARs of given sizes whose registers read back the size mask as the
// PCI Local Bus specification (6.2.5.1) says, a Command register whose
// Memory Space bit gates decoding, and BAR and MSI-X accesses recorded for
// the test to check.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <vector>

#include "mosaic/pci.hpp"

namespace mosaic::testing {

class FakePciFunction final : public pci::Function {
 public:
  struct BarSpec {
    std::uint64_t size = 0;  // 0: no BAR
    bool is_64bit = false;
    bool prefetchable = false;
  };
  struct Access {
    unsigned bar;
    std::uint64_t offset;
    unsigned size;
    std::uint64_t value;
    friend bool operator==(const Access&, const Access&) = default;
  };
  struct MsixEntry {
    std::uint64_t address = 0;
    std::uint32_t data = 0;
  };

  static constexpr std::uint32_t kCommand = 0x04;
  static constexpr std::uint32_t kFirstBar = 0x10;
  static constexpr std::uint16_t kMemorySpace = 0x2;

  FakePciFunction(std::uint16_t vendor, std::uint16_t device, std::uint32_t class_code,
                  std::array<BarSpec, pci::kBarCount> bars, std::uint8_t interrupt_pin = 1, unsigned msix_vectors = 0)
      : bars_(bars), msix_(msix_vectors), vendor_(vendor), device_(device), class_code_(class_code),
        interrupt_pin_(interrupt_pin) {
    reset();
  }

  std::uint32_t config_read(std::uint32_t offset, unsigned size) override {
    std::uint32_t value = 0;
    for (unsigned i = 0; i < size; ++i) value |= std::uint32_t{config_[offset + i]} << (8 * i);
    return value;
  }

  void config_write(std::uint32_t offset, unsigned size, std::uint32_t value) override {
    for (unsigned i = 0; i < size; ++i) write_byte(offset + i, static_cast<std::uint8_t>(value >> (8 * i)));
  }

  std::uint64_t bar_size(unsigned index) const override { return bars_.at(index).size; }
  bool bar_is_64bit(unsigned index) const override { return bars_.at(index).is_64bit; }

  std::optional<pci::BarDecode> decode(std::uint64_t address) const override {
    if ((read16(kCommand) & kMemorySpace) == 0) return std::nullopt;
    for (unsigned index = 0; index < pci::kBarCount; ++index) {
      const std::uint64_t size = bars_[index].size;
      if (size == 0) continue;
      const std::uint64_t base = bar_address(index);
      if (address >= base && address - base < size) return pci::BarDecode{index, base, size};
    }
    return std::nullopt;
  }

  std::uint64_t bar_read(unsigned index, std::uint64_t offset, unsigned size) override {
    reads.push_back({index, offset, size, 0});
    return read_value;
  }
  void bar_write(unsigned index, std::uint64_t offset, unsigned size, std::uint64_t value) override {
    writes.push_back({index, offset, size, value});
  }

  unsigned msix_vector_count() const override { return static_cast<unsigned>(msix_.size()); }
  void program_msix_vector(unsigned vector, std::uint64_t address, std::uint32_t data) override {
    msix_.at(vector) = {address, data};
  }

  void attach(pci::InterruptSink& sink) override { sink_ = &sink; }

  void quiesce() override { ++quiesces; }
  void resume_io() override { ++resumes; }
  void save_state(StateWriter& out) override { out.bytes(std::as_bytes(std::span(config_))); }
  void restore_state(StateReader& in) override {
    const auto saved = in.bytes();
    if (saved.size() != config_.size()) throw StateError("config of another size");
    for (std::size_t i = 0; i < saved.size(); ++i) config_[i] = std::to_integer<std::uint8_t>(saved[i]);
  }

  void reset() override {
    config_.fill(0);
    put16(0x00, vendor_);
    put16(0x02, device_);
    config_[0x09] = static_cast<std::uint8_t>(class_code_);
    config_[0x0a] = static_cast<std::uint8_t>(class_code_ >> 8);
    config_[0x0b] = static_cast<std::uint8_t>(class_code_ >> 16);
    config_[0x3d] = interrupt_pin_;
    for (unsigned index = 0; index < pci::kBarCount; ++index) {
      const BarSpec& bar = bars_[index];
      if (bar.size == 0) continue;
      config_[kFirstBar + 4 * index] = static_cast<std::uint8_t>((bar.is_64bit ? 0x4 : 0) | (bar.prefetchable ? 0x8 : 0));
    }
    ++resets;
  }

  // The BAR's base as its registers hold it.
  std::uint64_t bar_address(unsigned index) const {
    std::uint64_t base = read32(kFirstBar + 4 * index) & ~std::uint64_t{0xf};
    if (bars_[index].is_64bit) base |= std::uint64_t{read32(kFirstBar + 4 * index + 4)} << 32;
    return base;
  }

  pci::InterruptSink* sink() const { return sink_; }
  const MsixEntry& msix(unsigned vector) const { return msix_.at(vector); }

  std::vector<Access> reads;
  std::vector<Access> writes;
  std::uint64_t read_value = 0;
  unsigned resets = 0;
  unsigned quiesces = 0, resumes = 0;

 private:
  // Which bits of a BAR register are writable: the address bits above the
  // BAR's size (and for the upper half of a 64-bit BAR, all of them).
  std::uint8_t bar_writable_mask(std::uint32_t offset) const {
    const unsigned reg = (offset - kFirstBar) / 4;
    const unsigned byte = (offset - kFirstBar) % 4;
    if (reg > 0 && bars_[reg - 1].is_64bit && bars_[reg - 1].size != 0) {
      const std::uint64_t mask = ~(bars_[reg - 1].size - 1) >> 32;
      return static_cast<std::uint8_t>(mask >> (8 * byte));
    }
    if (bars_[reg].size == 0) return 0;
    const std::uint64_t mask = ~(bars_[reg].size - 1) & 0xfffffff0;
    return static_cast<std::uint8_t>(mask >> (8 * byte));
  }

  void write_byte(std::uint32_t offset, std::uint8_t value) {
    if (offset == kCommand) {
      config_[offset] = value & 0x06;  // Memory Space, Bus Master
    } else if (offset >= kFirstBar && offset < kFirstBar + 4 * pci::kBarCount) {
      const std::uint8_t mask = bar_writable_mask(offset);
      config_[offset] = static_cast<std::uint8_t>((config_[offset] & ~mask) | (value & mask));
    } else if (offset == 0x3c) {
      config_[offset] = value;  // Interrupt Line: scratch for software
    }
  }

  std::uint16_t read16(std::uint32_t offset) const {
    return static_cast<std::uint16_t>(config_[offset] | config_[offset + 1] << 8);
  }
  std::uint32_t read32(std::uint32_t offset) const {
    return std::uint32_t{read16(offset)} | std::uint32_t{read16(offset + 2)} << 16;
  }
  void put16(std::uint32_t offset, std::uint16_t value) {
    config_[offset] = static_cast<std::uint8_t>(value);
    config_[offset + 1] = static_cast<std::uint8_t>(value >> 8);
  }

  std::array<BarSpec, pci::kBarCount> bars_;
  std::vector<MsixEntry> msix_;
  std::uint16_t vendor_;
  std::uint16_t device_;
  std::uint32_t class_code_;
  std::uint8_t interrupt_pin_;
  std::array<std::uint8_t, pci::kConfigSpaceSize> config_{};
  pci::InterruptSink* sink_ = nullptr;
};

}  // namespace mosaic::testing
