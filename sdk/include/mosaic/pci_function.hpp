// pci::StandardFunction: the type-0 configuration header of a conventional
// PCI function (PCI Local Bus Specification 3.0, chapter 6), memory BARs,
// a capability list, INTx and MSI-X, so that a device plugin only supplies
// its IDs, its BAR sizes, its capabilities and what its BAR registers do.
//
// What the guest can and cannot change follows the specification: the IDs,
// class code, header type and capability list are read-only; Command keeps
// only Memory Space, Bus Master and INTx Disable (no I/O space is
// implemented); Status bits are read-only (none of its error bits is ever
// set); BAR writes keep only the address bits the BAR's size leaves, so
// writing all-ones and reading back gives the size; Interrupt Line, Cache
// Line Size and Latency Timer are plain storage. Nothing else is writable
// but MSI-X's Enable and Function Mask bits. While MSI-X is enabled the
// function does not drive INTx (6.8.2).
//
// Threads: config_* and bar_* may be called on several vCPU threads at
// once; the configuration header is guarded by a mutex here, and
// subclasses guard their BAR registers themselves. set_intx_level and
// signal_vector may be called from any thread.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <stdexcept>
#include <vector>

#include "mosaic/pci.hpp"
#include "mosaic/pci_msix.hpp"

namespace mosaic::pci {

struct FunctionIds {
  std::uint16_t vendor = 0;
  std::uint16_t device = 0;
  std::uint16_t subsystem_vendor = 0;
  std::uint16_t subsystem = 0;
  std::uint8_t revision = 0;
  std::uint32_t class_code = 0;  // base class << 16 | subclass << 8 | programming interface
};

namespace config {
inline constexpr std::uint32_t kVendorId = 0x00;
inline constexpr std::uint32_t kCommand = 0x04;
inline constexpr std::uint32_t kStatus = 0x06;
inline constexpr std::uint32_t kRevision = 0x08;
inline constexpr std::uint32_t kCacheLineSize = 0x0c;
inline constexpr std::uint32_t kLatencyTimer = 0x0d;
inline constexpr std::uint32_t kHeaderType = 0x0e;
inline constexpr std::uint32_t kBar0 = 0x10;
inline constexpr std::uint32_t kSubsystemVendorId = 0x2c;
inline constexpr std::uint32_t kCapabilitiesPointer = 0x34;
inline constexpr std::uint32_t kInterruptLine = 0x3c;
inline constexpr std::uint32_t kInterruptPin = 0x3d;
inline constexpr std::uint32_t kFirstCapability = 0x40;

inline constexpr std::uint16_t kCommandMemorySpace = 1 << 1;
inline constexpr std::uint16_t kCommandBusMaster = 1 << 2;
inline constexpr std::uint16_t kCommandIntxDisable = 1 << 10;
inline constexpr std::uint16_t kStatusInterrupt = 1 << 3;
inline constexpr std::uint16_t kStatusCapabilities = 1 << 4;

inline constexpr std::uint32_t kBar64Bit = 0x4;  // memory BAR type 10b
}  // namespace config

class StandardFunction : public Function {
 public:
  explicit StandardFunction(const FunctionIds& ids) {
    put(config::kVendorId, 2, ids.vendor);
    put(config::kVendorId + 2, 2, ids.device);
    put(config::kRevision, 1, ids.revision);
    put(config::kRevision + 1, 3, ids.class_code);
    put(config::kSubsystemVendorId, 2, ids.subsystem_vendor);
    put(config::kSubsystemVendorId + 2, 2, ids.subsystem);
    put(config::kInterruptPin, 1, 1);  // INTA#
    power_on_ = config_;
  }

  std::uint32_t config_read(std::uint32_t offset, unsigned size) override {
    if (offset >= config_capability_start_ && valid_access(offset, size)) {
      if (const auto value = capability_read(offset, size)) return *value;
    }
    std::lock_guard lock(config_mutex_);
    if (!valid_access(offset, size)) return ~std::uint32_t{0};  // the bridge refuses these first
    std::uint32_t value = 0;
    for (unsigned i = 0; i < size; ++i) value |= std::uint32_t{config_[offset + i]} << (8 * i);
    if (offset <= config::kStatus && config::kStatus < offset + size && intx_asserted_) {
      value |= std::uint32_t{config::kStatusInterrupt} << (8 * (config::kStatus - offset));
    }
    return value;
  }

  void config_write(std::uint32_t offset, unsigned size, std::uint32_t value) override {
    bool intx_changed = false;
    std::uint16_t msix_control = 0;
    {
      std::lock_guard lock(config_mutex_);
      if (!valid_access(offset, size)) return;
      const bool intx_was_enabled = intx_enabled();
      for (unsigned i = 0; i < size; ++i) write_byte(offset + i, static_cast<std::uint8_t>(value >> (8 * i)));
      intx_changed = intx_was_enabled != intx_enabled();
      msix_control = msix_capability_ != 0 ? msix_control_bits() : 0;
    }
    if (msix_capability_ != 0 && offset <= msix_capability_ + 3u && msix_capability_ + 3u < offset + size) {
      std::vector<MsiMessage> released;
      {
        std::lock_guard lock(msix_mutex_);
        released = msix_->set_control(msix_control & msix::kControlEnable, msix_control & msix::kControlFunctionMask);
      }
      send(released);
    }
    if (intx_changed) update_intx();
    if (offset < kConfigSpaceSize && offset + size > config_capability_start_) {
      capability_written(offset, size, value);
    }
  }

  std::uint64_t bar_size(unsigned index) const override { return index < kBarCount ? bars_[index].size : 0; }
  bool bar_is_64bit(unsigned index) const override { return index < kBarCount && bars_[index].is_64bit; }

  std::optional<BarDecode> decode(std::uint64_t address) const override {
    std::lock_guard lock(config_mutex_);
    if (!(command() & config::kCommandMemorySpace)) return std::nullopt;
    for (unsigned index = 0; index < kBarCount; ++index) {
      const Bar& bar = bars_[index];
      if (bar.size == 0) continue;
      const std::uint64_t base = bar_address(index);
      if (address >= base && address - base < bar.size) return BarDecode{index, base, bar.size};
    }
    return std::nullopt;
  }

  // Accesses to the MSI-X BAR reach the table; the others the subclass.
  std::uint64_t bar_read(unsigned index, std::uint64_t offset, unsigned size) final {
    if (msix_ && index == msix_bar_) {
      std::lock_guard lock(msix_mutex_);
      return msix_->read(offset, size);
    }
    return register_read(index, offset, size);
  }
  void bar_write(unsigned index, std::uint64_t offset, unsigned size, std::uint64_t value) final {
    if (!msix_ || index != msix_bar_) return register_write(index, offset, size, value);
    std::vector<MsiMessage> released;
    {
      std::lock_guard lock(msix_mutex_);
      released = msix_->write(offset, size, value);
    }
    send(released);
  }

  unsigned msix_vector_count() const override { return msix_ ? msix_->size() : 0; }
  void program_msix_vector(unsigned vector, std::uint64_t address, std::uint32_t data) override {
    if (!msix_) return;
    std::lock_guard lock(msix_mutex_);
    msix_->program(vector, {address, data});
  }

  void attach(InterruptSink& sink) override { sink_ = &sink; }

  // Snapshots: the configuration header and capabilities as the driver
  // left them, the INTx level, the MSI-X table; then the subclass's own.
  void quiesce() override {}
  void resume_io() override {}
  void save_state(StateWriter& out) override {
    out.tag("pci-function");
    {
      std::lock_guard lock(config_mutex_);
      out.bytes(std::as_bytes(std::span(config_)));
      out.boolean(intx_asserted_);
    }
    if (msix_) {
      std::lock_guard lock(msix_mutex_);
      msix_->save(out);
    }
    save_function(out);
  }
  void restore_state(StateReader& in) override {
    in.expect_tag("pci-function");
    const auto config = in.bytes();
    if (config.size() != config_.size()) throw StateError("saved state: config space of another size");
    std::uint16_t msix_control = 0;
    {
      std::lock_guard lock(config_mutex_);
      // Only what the driver can change comes from the file: the IDs,
      // BAR types and capability list stay this build's.
      for (std::uint32_t offset = 0; offset < kConfigSpaceSize; ++offset) {
        write_byte(offset, std::to_integer<std::uint8_t>(config[offset]));
      }
      intx_asserted_ = in.boolean();
      if (msix_capability_ != 0) msix_control = msix_control_bits();
    }
    if (msix_) {
      std::lock_guard lock(msix_mutex_);
      msix_->restore(in);
      msix_->set_control(msix_control & msix::kControlEnable, msix_control & msix::kControlFunctionMask);
    }
    restore_function(in);
    update_intx();
  }

  void reset() override {
    {
      std::lock_guard lock(config_mutex_);
      config_ = power_on_;
    }
    if (msix_) {
      std::lock_guard lock(msix_mutex_);
      msix_->reset();
    }
    reset_function();
    update_intx();
  }

  // Bus Master Enable: a function may touch guest memory only while it is set.
  bool bus_master() const {
    std::lock_guard lock(config_mutex_);
    return command() & config::kCommandBusMaster;
  }

 protected:
  // A memory BAR of `size` bytes (a power of two, at least 16) at `index`;
  // a 64-bit BAR also takes index + 1. Called from the constructor.
  void add_memory_bar(unsigned index, std::uint64_t size, bool is_64bit) {
    bars_.at(index) = Bar{size, is_64bit};
    const std::uint32_t flags = is_64bit ? config::kBar64Bit : 0;
    put(config::kBar0 + 4 * index, 4, flags);
    power_on_ = config_;
  }

  // Appends a capability (its ID, then `body`; the next pointer is filled
  // in) and returns its offset in config space. Called from the constructor.
  std::uint8_t add_capability(std::uint8_t id, std::span<const std::uint8_t> body) {
    const std::uint32_t offset = next_capability_;
    const std::uint32_t length = (2 + static_cast<std::uint32_t>(body.size()) + 3) & ~3u;
    if (offset + length > kConfigSpaceSize) throw std::length_error("PCI capabilities overflow config space");
    config_[offset] = id;
    config_[offset + 1] = 0;
    std::memcpy(&config_[offset + 2], body.data(), body.size());
    if (last_capability_ == 0) {
      config_[config::kCapabilitiesPointer] = static_cast<std::uint8_t>(offset);
      put(config::kStatus, 2, config::kStatusCapabilities);
    } else {
      config_[last_capability_ + 1] = static_cast<std::uint8_t>(offset);
    }
    last_capability_ = offset;
    next_capability_ = offset + length;
    power_on_ = config_;
    return static_cast<std::uint8_t>(offset);
  }

  // An MSI-X capability with `vectors` vectors (at most
  // MsixTable::kMaxVectors) whose table and PBA fill the 32-bit memory BAR
  // `bar` (MsixTable::kBarSize bytes). Called from the constructor.
  void add_msix(unsigned vectors, unsigned bar) {
    msix_ = std::make_unique<MsixTable>(vectors);
    msix_bar_ = bar;
    add_memory_bar(bar, MsixTable::kBarSize, false);
    const std::uint16_t control = static_cast<std::uint16_t>(vectors - 1);  // Table Size is N - 1
    const std::uint32_t table = bar;  // offset 0, BIR in bits 2:0
    const std::uint32_t pba = static_cast<std::uint32_t>(MsixTable::kPbaOffset) | bar;
    const std::array<std::uint8_t, 10> body{
        static_cast<std::uint8_t>(control), static_cast<std::uint8_t>(control >> 8),
        static_cast<std::uint8_t>(table), static_cast<std::uint8_t>(table >> 8),
        static_cast<std::uint8_t>(table >> 16), static_cast<std::uint8_t>(table >> 24),
        static_cast<std::uint8_t>(pba), static_cast<std::uint8_t>(pba >> 8),
        static_cast<std::uint8_t>(pba >> 16), static_cast<std::uint8_t>(pba >> 24)};
    msix_capability_ = add_capability(msix::kCapabilityId, body);
  }

  // Signals MSI-X `vector`; false when MSI-X is not enabled, and the
  // device interrupts through INTx instead. A masked vector is pending.
  bool signal_vector(unsigned vector) {
    std::optional<MsiMessage> message;
    {
      std::lock_guard lock(msix_mutex_);
      if (!msix_ || !msix_->enabled()) return false;
      message = msix_->signal(vector);
    }
    if (message && sink_ != nullptr) sink_->signal_msi(message->address, message->data);
    return true;
  }

  // Capabilities whose fields the driver writes (virtio's PCI
  // configuration access capability) mark the bytes and hear of writes.
  void make_writable(std::uint32_t offset, std::uint32_t length) {
    for (std::uint32_t i = offset; i < offset + length && i < kConfigSpaceSize; ++i) writable_capability_[i] = true;
    config_capability_start_ = std::min(config_capability_start_, offset);
  }
  virtual void capability_written(std::uint32_t /*offset*/, unsigned /*size*/, std::uint32_t /*value*/) {}
  // A read of writable capability bytes that the capability serves itself
  // (nullopt: the stored bytes). Called without the config lock.
  virtual std::optional<std::uint32_t> capability_read(std::uint32_t /*offset*/, unsigned /*size*/) {
    return std::nullopt;
  }
  // Reads back capability bytes (under the config lock).
  std::uint32_t capability_field(std::uint32_t offset, unsigned size) const {
    std::lock_guard lock(config_mutex_);
    std::uint32_t value = 0;
    for (unsigned i = 0; i < size && offset + i < kConfigSpaceSize; ++i) {
      value |= std::uint32_t{config_[offset + i]} << (8 * i);
    }
    return value;
  }

  // The level of INTA#. It reaches the bridge unless INTx Disable is set.
  void set_intx_level(bool asserted) {
    {
      std::lock_guard lock(config_mutex_);
      if (intx_asserted_ == asserted) return;
      intx_asserted_ = asserted;
    }
    update_intx();
  }

  // The device's own power-on state, after the header's.
  virtual void reset_function() = 0;
  // Snapshots: the subclass's own state, after the header's.
  virtual void save_function(StateWriter& /*out*/) {}
  virtual void restore_function(StateReader& /*in*/) {}

  // Accesses to the function's own BARs (all but the MSI-X one), as
  // Function::bar_read and bar_write describe them.
  virtual std::uint64_t register_read(unsigned index, std::uint64_t offset, unsigned size) = 0;
  virtual void register_write(unsigned index, std::uint64_t offset, unsigned size, std::uint64_t value) = 0;

  InterruptSink* interrupt_sink() const { return sink_; }

 private:
  struct Bar {
    std::uint64_t size = 0;
    bool is_64bit = false;
  };

  bool valid_access(std::uint32_t offset, unsigned size) const {
    return (size == 1 || size == 2 || size == 4) && offset % size == 0 && offset + size <= kConfigSpaceSize;
  }

  void put(std::uint32_t offset, unsigned size, std::uint32_t value) {
    for (unsigned i = 0; i < size; ++i) config_[offset + i] = static_cast<std::uint8_t>(value >> (8 * i));
  }
  std::uint16_t command() const {
    return static_cast<std::uint16_t>(config_[config::kCommand] | config_[config::kCommand + 1] << 8);
  }
  std::uint16_t msix_control_bits() const {
    return static_cast<std::uint16_t>(config_[msix_capability_ + 2] | config_[msix_capability_ + 3] << 8);
  }
  // INTx reaches the bridge unless INTx Disable is set or MSI-X is on.
  bool intx_enabled() const {
    const bool msix_on = msix_capability_ != 0 && (msix_control_bits() & msix::kControlEnable);
    return !(command() & config::kCommandIntxDisable) && !msix_on;
  }

  void send(const std::vector<MsiMessage>& messages) const {
    if (sink_ == nullptr) return;
    for (const MsiMessage& message : messages) sink_->signal_msi(message.address, message.data);
  }

  std::uint64_t bar_address(unsigned index) const {
    auto dword = [this](std::uint32_t offset) {
      return std::uint32_t{config_[offset]} | std::uint32_t{config_[offset + 1]} << 8 |
             std::uint32_t{config_[offset + 2]} << 16 | std::uint32_t{config_[offset + 3]} << 24;
    };
    std::uint64_t address = dword(config::kBar0 + 4 * index) & ~std::uint64_t{0xf};
    if (bars_[index].is_64bit) address |= std::uint64_t{dword(config::kBar0 + 4 * (index + 1))} << 32;
    return address;
  }

  // Which BAR a config byte belongs to, and whether it is the upper half
  // of a 64-bit one.
  std::optional<std::pair<unsigned, bool>> bar_of(std::uint32_t offset) const {
    if (offset < config::kBar0 || offset >= config::kBar0 + 4 * kBarCount) return std::nullopt;
    const unsigned index = (offset - config::kBar0) / 4;
    if (index > 0 && bars_[index - 1].is_64bit) return std::pair{index - 1, true};
    return std::pair{index, false};
  }

  void write_byte(std::uint32_t offset, std::uint8_t value) {
    if (offset == config::kCommand) {
      const std::uint8_t low = config::kCommandMemorySpace | config::kCommandBusMaster;
      config_[offset] = value & low;
    } else if (offset == config::kCommand + 1) {
      config_[offset] = value & (config::kCommandIntxDisable >> 8);
    } else if (offset == config::kCacheLineSize || offset == config::kLatencyTimer ||
               offset == config::kInterruptLine) {
      config_[offset] = value;
    } else if (const auto bar = bar_of(offset)) {
      const auto [index, upper] = *bar;
      const Bar& spec = bars_[index];
      if (spec.size == 0) return;  // no BAR here: reads as zero, as unimplemented BARs do
      // The bits of the address that the size leaves writable.
      const std::uint64_t mask = ~(spec.size - 1) & (spec.is_64bit ? ~std::uint64_t{0} : 0xffffffffull);
      const unsigned byte = (offset - config::kBar0) % 4 + (upper ? 4 : 0);
      std::uint8_t keep = static_cast<std::uint8_t>(mask >> (8 * byte));
      if (byte == 0) keep &= 0xf0;  // the type and prefetchable bits are read-only
      config_[offset] = static_cast<std::uint8_t>((config_[offset] & ~keep) | (value & keep));
    } else if (msix_capability_ != 0 && offset == msix_capability_ + 3u) {
      // Message Control's high byte: only Enable and Function Mask.
      config_[offset] = value & ((msix::kControlEnable | msix::kControlFunctionMask) >> 8);
    } else if (writable_capability_[offset]) {
      config_[offset] = value;
    }
  }

  void update_intx() {
    bool level = false;
    {
      std::lock_guard lock(config_mutex_);
      level = intx_asserted_ && intx_enabled();
    }
    if (sink_ != nullptr) sink_->set_intx(level);
  }

  mutable std::mutex config_mutex_;
  std::array<std::uint8_t, kConfigSpaceSize> config_{};
  std::array<std::uint8_t, kConfigSpaceSize> power_on_{};
  std::array<bool, kConfigSpaceSize> writable_capability_{};
  std::array<Bar, kBarCount> bars_{};
  std::uint32_t next_capability_ = config::kFirstCapability;
  std::uint32_t last_capability_ = 0;
  std::uint32_t config_capability_start_ = kConfigSpaceSize;
  bool intx_asserted_ = false;
  InterruptSink* sink_ = nullptr;
  std::uint8_t msix_capability_ = 0;  // 0: no MSI-X
  unsigned msix_bar_ = 0;
  mutable std::mutex msix_mutex_;  // guards msix_; never held together with config_mutex_
  std::unique_ptr<MsixTable> msix_;
};

}  // namespace mosaic::pci
