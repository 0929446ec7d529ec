// virtio::PciTransport: a virtio::Device as a modern (virtio 1.x only) PCI
// function, as virtio 1.2 section 4.1 describes it. BAR 0 (32-bit, 16 KiB)
// holds the common configuration at 0x0000, the ISR status at 0x1000, the
// device configuration at 0x2000 and the notification area at 0x3000 (queue
// n at 0x3000 + 4n); vendor-specific capabilities point at each, and the
// PCI configuration access capability gives the same registers through
// config space. Interrupts are MSI-X (4.1.4.8: BAR 1 holds the table, with
// one vector per queue and one for configuration changes, rounded up to a
// power of two because PAPR firmware allocates no other counts), or INTx
// with the ISR status while the driver has not enabled MSI-X. There is no
// legacy interface: VIRTIO_F_VERSION_1 must be negotiated.
//
// Threads: BAR and config accesses come from vCPU threads; the device's
// Queues calls from any thread. One mutex guards the transport's registers
// and each queue has its own, so that a device thread completing requests
// does not wait for register accesses. Interrupts are sent with the
// registers' mutex held, so that a vector the driver remaps is not used
// half-way.
//
// Snapshots: quiesce() stops handing out requests and waits for the ones
// the device holds to complete, so that the rings and guest memory stand
// still; the state saved is the registers, each queue's layout and ring
// positions, and the device's own. A restored transport re-activates its
// device and, on resume_io(), kicks every queue for what came meanwhile.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <spdlog/logger.h>

#include "mosaic/guest_memory.hpp"
#include "mosaic/pci_function.hpp"
#include "mosaic/virtio/device.hpp"

namespace mosaic::virtio {

class PciTransport final : public pci::StandardFunction, private Queues {
 public:
  static constexpr std::uint64_t kBarSize = 0x4000;
  static constexpr std::uint32_t kCommonOffset = 0x0000;
  static constexpr std::uint32_t kCommonSize = 0x38;
  static constexpr std::uint32_t kIsrOffset = 0x1000;
  static constexpr std::uint32_t kDeviceOffset = 0x2000;
  static constexpr std::uint32_t kNotifyOffset = 0x3000;
  static constexpr std::uint32_t kNotifyMultiplier = 4;
  static constexpr unsigned kMsixBar = 1;

  PciTransport(GuestMemory& memory, std::unique_ptr<Device> device, std::shared_ptr<spdlog::logger> log)
      : StandardFunction(ids_for(*device)), memory_(memory), device_(std::move(device)), log_(std::move(log)),
        queues_(device_->queue_count()) {
    add_memory_bar(0, kBarSize, false);
    add_msix(std::bit_ceil(static_cast<unsigned>(queues_.size()) + 1), kMsixBar);
    add_virtio_capability(pci_cap::kCommonConfig, kCommonOffset, kCommonSize);
    add_virtio_capability(pci_cap::kIsrConfig, kIsrOffset, 1);
    // A device without configuration (entropy) has no such capability:
    // Linux refuses a zero-length one.
    if (device_->config_size() > 0) add_virtio_capability(pci_cap::kDeviceConfig, kDeviceOffset, device_->config_size());
    add_virtio_capability(pci_cap::kNotifyConfig, kNotifyOffset, kNotifyMultiplier * queues_.size(),
                          kNotifyMultiplier);
    // 4.1.4.9: cap.bar, cap.offset and cap.length select a window that
    // pci_cfg_data reads and writes.
    pci_cfg_capability_ = add_virtio_capability(pci_cap::kPciConfig, 0, 0, std::nullopt, true);
    make_writable(pci_cfg_capability_ + 4, 1);   // bar
    make_writable(pci_cfg_capability_ + 8, 12);  // offset, length, pci_cfg_data
    reset_transport();
  }
  ~PciTransport() override { device_->reset(); }

  Device& device() { return *device_; }

  std::uint64_t register_read(unsigned index, std::uint64_t offset, unsigned size) override {
    if (index != 0 || (size != 1 && size != 2 && size != 4 && size != 8)) return ~std::uint64_t{0};
    std::uint64_t value = 0;
    if (offset >= kCommonOffset && offset + size <= kCommonOffset + kCommonSize) {
      std::lock_guard lock(mutex_);
      std::array<std::byte, kCommonSize> image = common_image();
      for (unsigned i = 0; i < size; ++i) value |= std::uint64_t{std::to_integer<std::uint8_t>(image[offset + i])} << (8 * i);
    } else if (offset == kIsrOffset && size == 1) {
      std::lock_guard lock(mutex_);
      value = isr_;  // 4.1.4.5.1: reading clears it and deasserts INTx
      isr_ = 0;
      set_intx_level(false);
    } else if (offset >= kDeviceOffset && offset + size <= kDeviceOffset + device_->config_size()) {
      std::array<std::byte, 8> bytes{};
      device_->read_config(static_cast<std::uint32_t>(offset - kDeviceOffset), std::span(bytes.data(), size));
      for (unsigned i = 0; i < size; ++i) value |= std::uint64_t{std::to_integer<std::uint8_t>(bytes[i])} << (8 * i);
    }
    return value;
  }

  void register_write(unsigned index, std::uint64_t offset, unsigned size, std::uint64_t value) override {
    if (index != 0 || (size != 1 && size != 2 && size != 4 && size != 8)) return;
    if (offset >= kCommonOffset && offset + size <= kCommonOffset + kCommonSize) {
      write_common(static_cast<std::uint32_t>(offset), size, value);
    } else if (offset >= kNotifyOffset && offset < kNotifyOffset + kNotifyMultiplier * queues_.size()) {
      notify(static_cast<unsigned>((offset - kNotifyOffset) / kNotifyMultiplier));
    } else if (offset >= kDeviceOffset && offset + size <= kDeviceOffset + device_->config_size()) {
      std::array<std::byte, 8> bytes{};
      for (unsigned i = 0; i < size; ++i) bytes[i] = static_cast<std::byte>(value >> (8 * i));
      device_->write_config(static_cast<std::uint32_t>(offset - kDeviceOffset), std::span(bytes.data(), size));
    }
  }

  void quiesce() override {
    std::unique_lock lock(io_mutex_);
    frozen_ = true;
    io_idle_.wait(lock, [this] { return in_flight_ == 0; });
  }
  void resume_io() override {
    {
      std::lock_guard lock(io_mutex_);
      frozen_ = false;
    }
    for (unsigned queue = 0; queue < queues_.size(); ++queue) notify(queue);
  }

  // The device's configuration changed (virtio 2.5.1): config interrupt.
  void config_changed() {
    std::lock_guard lock(mutex_);
    ++config_generation_;
    raise_config();
  }

 private:
  struct QueueState {
    std::uint16_t size = 0;  // 0 until the transport's reset fills in the maximum
    std::uint16_t msix_vector = kNoVector;
    bool enabled = false;
    QueueLayout layout;
    std::mutex mutex;  // guards ring below
    std::unique_ptr<SplitQueue> ring;  // made at DRIVER_OK
  };

  static pci::FunctionIds ids_for(const Device& device) {
    const std::uint16_t id = static_cast<std::uint16_t>(kPciDeviceBase + device.device_type());
    // 4.1.2.1: subsystem IDs are free for modern devices; the class is
    // "unclassified", as QEMU's virtio devices without a better one use.
    return {kPciVendor, id, kPciVendor, static_cast<std::uint16_t>(0x40 + device.device_type()), 1, 0xff0000};
  }

  std::uint8_t add_virtio_capability(std::uint8_t type, std::uint32_t offset, std::uint64_t length,
                                     std::optional<std::uint32_t> notify_multiplier = std::nullopt,
                                     bool with_data = false) {
    // virtio_pci_cap after the generic ID and next bytes: cap_len,
    // cfg_type, bar, id, padding[2], offset, length (+ multiplier or data).
    std::vector<std::uint8_t> body(14 + (notify_multiplier || with_data ? 4 : 0));
    body[0] = static_cast<std::uint8_t>(body.size() + 2);
    body[1] = type;
    body[2] = 0;  // BAR 0
    for (int i = 0; i < 4; ++i) body[6 + i] = static_cast<std::uint8_t>(offset >> (8 * i));
    for (int i = 0; i < 4; ++i) body[10 + i] = static_cast<std::uint8_t>(length >> (8 * i));
    if (notify_multiplier) {
      for (int i = 0; i < 4; ++i) body[14 + i] = static_cast<std::uint8_t>(*notify_multiplier >> (8 * i));
    }
    return add_capability(pci_cap::kVendorSpecific, body);
  }

  // The PCI configuration access capability (4.1.4.9): cap.bar, cap.offset
  // and cap.length select a window of the BAR, and pci_cfg_data reads and
  // writes it.
  std::optional<std::pair<unsigned, std::uint32_t>> pci_cfg_window(std::uint32_t offset, unsigned size) const {
    if (offset != pci_cfg_capability_ + 16u) return std::nullopt;
    const unsigned bar = capability_field(pci_cfg_capability_ + 4, 1);
    const std::uint32_t window_offset = capability_field(pci_cfg_capability_ + 8, 4);
    const std::uint32_t window_length = capability_field(pci_cfg_capability_ + 12, 4);
    if (window_length != size || window_offset % size != 0) return std::nullopt;
    return std::pair{bar, window_offset};
  }
  void capability_written(std::uint32_t offset, unsigned size, std::uint32_t value) override {
    if (const auto window = pci_cfg_window(offset, size)) bar_write(window->first, window->second, size, value);
  }
  std::optional<std::uint32_t> capability_read(std::uint32_t offset, unsigned size) override {
    if (const auto window = pci_cfg_window(offset, size)) {
      return static_cast<std::uint32_t>(bar_read(window->first, window->second, size));
    }
    return std::nullopt;
  }

  std::array<std::byte, kCommonSize> common_image() {
    std::array<std::byte, kCommonSize> image{};
    auto put = [&](std::uint32_t offset, unsigned size, std::uint64_t value) {
      for (unsigned i = 0; i < size; ++i) image[offset + i] = static_cast<std::byte>(value >> (8 * i));
    };
    const std::uint64_t offered = offered_features();
    put(0x00, 4, device_feature_select_);
    put(0x04, 4, device_feature_select_ < 2 ? offered >> (32 * device_feature_select_) : 0);
    put(0x08, 4, driver_feature_select_);
    put(0x0c, 4, driver_feature_select_ < 2 ? driver_features_ >> (32 * driver_feature_select_) : 0);
    put(0x10, 2, config_vector_);
    put(0x12, 2, queues_.size());
    put(0x14, 1, status_);
    put(0x15, 1, config_generation_);
    put(0x16, 2, queue_select_);
    if (queue_select_ < queues_.size()) {
      const QueueState& q = queues_[queue_select_];
      put(0x18, 2, q.size);
      put(0x1a, 2, q.msix_vector);
      put(0x1c, 2, q.enabled ? 1 : 0);
      put(0x1e, 2, queue_select_);  // queue_notify_off
      put(0x20, 8, q.layout.descriptors);
      put(0x28, 8, q.layout.driver_area);
      put(0x30, 8, q.layout.device_area);
    }
    return image;
  }

  std::uint64_t offered_features() const {
    return device_->device_features() | feature::kVersion1 | feature::kEventIndex | feature::kIndirectDescriptors;
  }

  void write_common(std::uint32_t offset, unsigned size, std::uint64_t value) {
    std::unique_lock lock(mutex_);
    QueueState* q = queue_select_ < queues_.size() ? &queues_[queue_select_] : nullptr;
    // A queue's layout is the driver's to set only while the queue is off
    // and the device not yet live (4.1.4.3.2).
    const bool layout_writable = q != nullptr && !q->enabled && !(status_ & status::kDriverOk);
    auto set_address = [&](std::uint64_t& field, std::uint32_t base) {
      if (!layout_writable) return;
      if (size == 8 && offset == base) field = value;
      else if (size == 4 && offset == base) field = (field & ~0xffffffffull) | (value & 0xffffffff);
      else if (size == 4 && offset == base + 4) field = (field & 0xffffffff) | (value << 32);
    };
    switch (offset) {
      case 0x00: if (size == 4) device_feature_select_ = static_cast<std::uint32_t>(value); return;
      case 0x08: if (size == 4) driver_feature_select_ = static_cast<std::uint32_t>(value); return;
      case 0x0c:
        if (size == 4 && driver_feature_select_ < 2 && !(status_ & status::kFeaturesOk)) {
          const unsigned shift = 32 * driver_feature_select_;
          driver_features_ = (driver_features_ & ~(0xffffffffull << shift)) | ((value & 0xffffffff) << shift);
        }
        return;
      case 0x14: if (size == 1) write_status(static_cast<std::uint8_t>(value), lock); return;
      case 0x10: if (size == 2) config_vector_ = checked_vector(value); return;
      case 0x16: if (size == 2) queue_select_ = static_cast<std::uint16_t>(value); return;
      case 0x1a:
        if (size == 2 && q != nullptr) q->msix_vector = checked_vector(value);
        return;
      case 0x18:
        if (size == 2 && layout_writable) q->size = static_cast<std::uint16_t>(value);
        return;
      case 0x1c:
        if (size == 2 && layout_writable && value == 1) q->enabled = true;
        return;
      default: break;
    }
    if (offset >= 0x20 && offset < 0x28) set_address(q ? q->layout.descriptors : scratch_, 0x20);
    else if (offset >= 0x28 && offset < 0x30) set_address(q ? q->layout.driver_area : scratch_, 0x28);
    else if (offset >= 0x30 && offset < 0x38) set_address(q ? q->layout.device_area : scratch_, 0x30);
    // Everything else is read-only.
  }

  // 4.1.5.1.2: a vector the function does not have is refused, and the
  // driver reads NO_VECTOR back.
  std::uint16_t checked_vector(std::uint64_t value) const {
    return value < msix_vector_count() ? static_cast<std::uint16_t>(value) : kNoVector;
  }

  void write_status(std::uint8_t value, std::unique_lock<std::mutex>& lock) {
    if (value == 0) {
      lock.unlock();
      device_->reset();
      lock.lock();
      reset_transport();
      return;
    }
    // Bits are only ever added by the driver (2.1.2); FEATURES_OK sticks
    // only if the device accepts the features.
    std::uint8_t next = status_ | value;
    if ((value & status::kFeaturesOk) && !(status_ & status::kFeaturesOk)) {
      const bool acceptable = (driver_features_ & ~offered_features()) == 0 && (driver_features_ & feature::kVersion1);
      if (!acceptable) {
        next &= static_cast<std::uint8_t>(~status::kFeaturesOk);
        log_->info("the driver asked for features {:#x} of {:#x}: refused", driver_features_, offered_features());
      }
    }
    const bool going_live = (next & status::kDriverOk) && !(status_ & status::kDriverOk);
    status_ = next;
    if (going_live && (status_ & status::kFeaturesOk)) start_device(lock);
  }

  void start_device(std::unique_lock<std::mutex>& lock) {
    const bool event_index = driver_features_ & feature::kEventIndex;
    for (std::size_t i = 0; i < queues_.size(); ++i) {
      QueueState& q = queues_[i];
      std::lock_guard queue_lock(q.mutex);
      if (!q.enabled) continue;
      q.ring = std::make_unique<SplitQueue>(memory_, QueueLayout{q.size, q.layout.descriptors, q.layout.driver_area,
                                                                 q.layout.device_area}, event_index);
      if (q.ring->broken()) {
        set_needs_reset(fmt::format("queue {}: {}", i, q.ring->error()));
        return;
      }
    }
    const std::uint64_t features = driver_features_;
    lock.unlock();
    device_->activate(features, *this);
    lock.lock();
  }

  void notify(unsigned queue) {
    {
      std::lock_guard lock(mutex_);
      // Kicks before DRIVER_OK, or while the driver may not let the device
      // touch memory, are ignored.
      if (!(status_ & status::kDriverOk) || (status_ & status::kDeviceNeedsReset) || !bus_master()) return;
      if (queue >= queues_.size() || !queues_[queue].enabled) return;
    }
    device_->queue_notified(queue);
  }

  // Queues
  std::optional<Chain> pop(unsigned queue) override {
    if (queue >= queues_.size() || !bus_master()) return std::nullopt;
    QueueState& q = queues_[queue];
    std::string error;
    std::optional<Chain> chain;
    {
      std::lock_guard io_lock(io_mutex_);
      if (frozen_) return std::nullopt;  // resume_io() kicks the queue again
      ++in_flight_;
    }
    {
      std::lock_guard queue_lock(q.mutex);
      if (q.ring) {
        chain = q.ring->pop();
        if (!chain && q.ring->broken()) error = q.ring->error();
      }
    }
    if (!chain) finished_one();
    if (!error.empty()) needs_reset(fmt::format("queue {}: {}", queue, error));
    return chain;
  }

  // A request the device took is done (or there was none to take).
  void finished_one() {
    std::lock_guard io_lock(io_mutex_);
    if (--in_flight_ == 0) io_idle_.notify_all();
  }

  void complete(unsigned queue, const Chain& chain, std::uint32_t written) override {
    if (queue >= queues_.size()) return;
    QueueState& q = queues_[queue];
    bool interrupt = false;
    bool pushed = false;
    {
      std::lock_guard queue_lock(q.mutex);
      if (q.ring) {  // else reset meanwhile
        interrupt = q.ring->push(chain.head, static_cast<std::uint32_t>(std::min<std::uint64_t>(written, chain.writable_bytes)));
        pushed = true;
      }
    }
    if (pushed) report_written(chain, written);
    if (interrupt) {
      std::lock_guard lock(mutex_);
      raise_queue(queue);
    }
    finished_one();
  }

  void save_function(StateWriter& out) override {
    std::lock_guard lock(mutex_);
    out.tag("virtio-pci");
    out.u8(status_);
    out.u8(config_generation_);
    out.u8(isr_);
    out.u32(device_feature_select_);
    out.u32(driver_feature_select_);
    out.u64(driver_features_);
    out.u16(queue_select_);
    out.u16(config_vector_);
    out.u32(static_cast<std::uint32_t>(queues_.size()));
    for (QueueState& q : queues_) {
      std::lock_guard queue_lock(q.mutex);
      out.u16(q.size);
      out.u16(q.msix_vector);
      out.boolean(q.enabled);
      out.u64(q.layout.descriptors);
      out.u64(q.layout.driver_area);
      out.u64(q.layout.device_area);
      out.boolean(q.ring != nullptr);
      const auto [last_available, used] = q.ring ? q.ring->positions() : std::pair<std::uint16_t, std::uint16_t>{};
      out.u16(last_available);
      out.u16(used);
    }
    device_->save_state(out);
  }

  void restore_function(StateReader& in) override {
    device_->reset();
    std::unique_lock lock(mutex_);
    {
      std::lock_guard io_lock(io_mutex_);
      frozen_ = true;
    }
    in.expect_tag("virtio-pci");
    status_ = in.u8();
    config_generation_ = in.u8();
    isr_ = in.u8();
    device_feature_select_ = in.u32();
    driver_feature_select_ = in.u32();
    driver_features_ = in.u64();
    queue_select_ = in.u16();
    config_vector_ = checked_vector(in.u16());
    if (in.u32() != queues_.size()) throw StateError("saved state: a virtio device with another number of queues");
    const bool event_index = driver_features_ & feature::kEventIndex;
    for (unsigned i = 0; i < queues_.size(); ++i) {
      QueueState& q = queues_[i];
      std::lock_guard queue_lock(q.mutex);
      q.size = in.u16();
      q.msix_vector = checked_vector(in.u16());
      q.enabled = in.boolean();
      q.layout.descriptors = in.u64();
      q.layout.driver_area = in.u64();
      q.layout.device_area = in.u64();
      const bool live = in.boolean();
      const std::uint16_t last_available = in.u16();
      const std::uint16_t used = in.u16();
      q.ring.reset();
      if (live) {
        q.ring = std::make_unique<SplitQueue>(memory_, QueueLayout{q.size, q.layout.descriptors, q.layout.driver_area,
                                                                   q.layout.device_area}, event_index);
        q.ring->set_positions(last_available, used);
      }
    }
    device_->restore_state(in);
    const bool live = (status_ & status::kDriverOk) && (status_ & status::kFeaturesOk) &&
                      !(status_ & status::kDeviceNeedsReset);
    if (live) {
      const std::uint64_t features = driver_features_;
      lock.unlock();
      device_->activate(features, *this);
    }
  }

  // The device wrote into guest RAM through the chain's host views: tell
  // the accelerator, which may hold decoded code from those pages.
  void report_written(const Chain& chain, std::uint64_t written) const {
    for (const auto& span : chain.writable) {
      if (written == 0) break;
      const std::uint64_t count = std::min<std::uint64_t>(span.size(), written);
      memory_.notify_written(static_cast<std::uint64_t>(span.data() - memory_.host_base()), count);
      written -= count;
    }
  }

  void needs_reset(std::string_view why) override {
    std::lock_guard lock(mutex_);
    set_needs_reset(std::string(why));
  }

  void set_needs_reset(const std::string& why) {
    if (status_ & status::kDeviceNeedsReset) return;
    log_->warn("the driver broke the device: {}; DEVICE_NEEDS_RESET", why);
    status_ |= status::kDeviceNeedsReset;
    ++config_generation_;
    raise_config();
  }

  // 4.1.4.5: the configuration-change bit is set in the ISR either way;
  // the queue bit only for INTx. With MSI-X on, NO_VECTOR means no
  // interrupt at all (4.1.5.1.2).
  void raise_config() {
    isr_ |= kIsrConfigChange;
    if (!signal_vector(config_vector_)) set_intx_level(true);
  }
  void raise_queue(unsigned queue) {
    if (signal_vector(queues_[queue].msix_vector)) return;
    isr_ |= kIsrQueue;
    set_intx_level(true);
  }

  void reset_function() override {
    device_->reset();
    std::lock_guard lock(mutex_);
    reset_transport();
  }

  void reset_transport() {
    {
      // The device has let go of every chain (Device::reset), completed
      // or dropped.
      std::lock_guard io_lock(io_mutex_);
      in_flight_ = 0;
      io_idle_.notify_all();
    }
    status_ = 0;
    driver_features_ = 0;
    device_feature_select_ = driver_feature_select_ = 0;
    queue_select_ = 0;
    isr_ = 0;
    config_vector_ = kNoVector;
    for (unsigned i = 0; i < queues_.size(); ++i) {
      QueueState& q = queues_[i];
      std::lock_guard queue_lock(q.mutex);
      q.ring.reset();
      q.enabled = false;
      q.layout = {};
      q.msix_vector = kNoVector;
      q.size = device_->queue_max_size(i);
    }
    set_intx_level(false);
  }

  GuestMemory& memory_;
  std::unique_ptr<Device> device_;
  std::shared_ptr<spdlog::logger> log_;
  std::mutex mutex_;
  std::vector<QueueState> queues_;
  std::uint8_t pci_cfg_capability_ = 0;
  std::uint8_t status_ = 0;
  std::uint8_t config_generation_ = 0;
  std::uint8_t isr_ = 0;
  std::uint16_t config_vector_ = kNoVector;
  std::uint32_t device_feature_select_ = 0;
  std::uint32_t driver_feature_select_ = 0;
  std::uint64_t driver_features_ = 0;
  std::uint16_t queue_select_ = 0;
  std::uint64_t scratch_ = 0;
  // Snapshots: quiesce() sets frozen_ and waits for in_flight_ (requests
  // popped and not completed) to drop to zero.
  std::mutex io_mutex_;
  std::condition_variable io_idle_;
  bool frozen_ = false;
  unsigned in_flight_ = 0;
};

}  // namespace mosaic::virtio
