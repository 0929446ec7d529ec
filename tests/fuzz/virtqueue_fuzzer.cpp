// A hostile virtio driver: the input is a script of config-space and BAR
// accesses, raw writes into guest RAM (descriptor tables, available and
// used rings) and queue kicks, played against the real PciTransport and
// SplitQueue with two devices behind them: virtio-rng, and an echo device
// that reads every readable byte and claims to have written more than it
// could. Guard pages around RAM catch any access outside it; the device must
// end up either serving requests or in DEVICE_NEEDS_RESET, never crashed.
#include <array>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <vector>

#include "fuzz_input.hpp"
#include "guarded_ram.hpp"
#include "mosaic/virtio/pci_transport.hpp"
#include "support/null_logger.hpp"
#include "virtio_rng.hpp"

namespace {

using namespace mosaic;

constexpr std::uint64_t kRamBytes = 64 * 1024;

class EchoDevice final : public virtio::Device {
 public:
  std::uint16_t device_type() const override { return 42; }
  std::uint64_t device_features() const override { return 0; }
  unsigned queue_count() const override { return 2; }
  std::uint32_t config_size() const override { return 8; }
  void read_config(std::uint32_t offset, std::span<std::byte> out) override {
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = config_[(offset + i) % config_.size()];
  }
  void write_config(std::uint32_t offset, std::span<const std::byte> in) override {
    for (std::size_t i = 0; i < in.size(); ++i) config_[(offset + i) % config_.size()] = in[i];
  }
  void activate(std::uint64_t, virtio::Queues& queues) override { queues_ = &queues; }
  void queue_notified(unsigned queue) override {
    if (queues_ == nullptr) return;
    while (auto chain = queues_->pop(queue)) {
      std::vector<std::byte> request(chain->readable_bytes % (1 << 20));
      const std::size_t read = chain->read(0, request);
      const std::size_t written = chain->write(0, std::span(request.data(), read));
      // A device may report more than fits: the transport must clamp it.
      queues_->complete(queue, *chain, static_cast<std::uint32_t>(written + 7));
    }
  }
  void reset() override { queues_ = nullptr; }

 private:
  virtio::Queues* queues_ = nullptr;
  std::array<std::byte, 8> config_{};
};

class Sink final : public pci::InterruptSink {
 public:
  void set_intx(bool) override {}
  void signal_msi(std::uint64_t, std::uint32_t) override {}
};

unsigned access_size(fuzz::FuzzInput& input) { return 1u << input.take_below(4); }

// The usual bring-up (virtio 3.1.1) with rings at addresses from the input,
// so that most inputs reach the rings rather than stopping at the status.
void bring_up(virtio::PciTransport& transport, fuzz::FuzzInput& input, unsigned queues) {
  transport.config_write(0x04, 2, 0x6);
  const auto common = [&](std::uint32_t offset, unsigned size, std::uint64_t value) {
    transport.bar_write(0, offset, size, value);
  };
  common(0x14, 1, 0);
  common(0x14, 1, 3);
  common(0x08, 4, 1);
  common(0x0c, 4, 1 | (input.take_bool() ? 1u << 29 : 0u));  // VERSION_1, maybe EVENT_IDX
  common(0x08, 4, 0);
  common(0x0c, 4, input.take_bool() ? 1u << 28 : 0u);  // maybe INDIRECT_DESC
  common(0x14, 1, 0xb);
  for (unsigned q = 0; q < queues; ++q) {
    common(0x16, 2, q);
    common(0x18, 2, 1u << input.take_below(9));
    common(0x20, 8, input.take_below(kRamBytes + 64));
    common(0x28, 8, input.take_below(kRamBytes + 64));
    common(0x30, 8, input.take_below(kRamBytes + 64));
    common(0x1c, 2, 1);
  }
  common(0x14, 1, 0xf);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static fuzz::GuardedRam ram(kRamBytes);
  ram.clear();
  fuzz::FuzzInput input(data, size);
  const bool entropy = input.take_bool();
  std::unique_ptr<virtio::Device> device;
  if (entropy) {
    device = std::make_unique<virtio_rng::EntropyDevice>();
  } else {
    device = std::make_unique<EchoDevice>();
  }
  const unsigned queues = device->queue_count();
  virtio::PciTransport transport(ram.memory(), std::move(device), testing::null_logger());
  Sink sink;
  transport.attach(sink);

  for (int step = 0; step < 256 && !input.empty(); ++step) {
    switch (input.take_below(7)) {
      case 0: bring_up(transport, input, queues); break;
      case 1: {
        const auto offset = static_cast<std::uint32_t>(input.take_below(0x100));
        const unsigned width = access_size(input);
        transport.config_write(offset, width, input.take<std::uint32_t>());
        break;
      }
      case 2: transport.config_read(static_cast<std::uint32_t>(input.take_below(0x100)), access_size(input)); break;
      case 3: {
        // BAR 0 (the virtio registers), 1 (the MSI-X table) or 2 (none).
        const auto bar = static_cast<unsigned>(input.take_below(3));
        const std::uint64_t offset = input.take_below(virtio::PciTransport::kBarSize + 16);
        const unsigned width = access_size(input);
        transport.bar_write(bar, offset, width, input.take<std::uint64_t>());
        break;
      }
      case 4: {
        const auto bar = static_cast<unsigned>(input.take_below(3));
        transport.bar_read(bar, input.take_below(virtio::PciTransport::kBarSize + 16), access_size(input));
        break;
      }
      case 5: {
        // Raw bytes into RAM: descriptors, ring entries and indices.
        const std::uint64_t at = input.take_below(kRamBytes);
        const auto bytes = input.take_bytes(input.take_below(64));
        std::byte* target = ram.memory().host_pointer(at, 0);
        for (std::size_t i = 0; i < bytes.size() && at + i < kRamBytes; ++i) target[i] = std::byte{bytes[i]};
        break;
      }
      case 6:
        transport.bar_write(0, virtio::PciTransport::kNotifyOffset +
                                   virtio::PciTransport::kNotifyMultiplier * input.take_below(queues + 1),
                            2, 0);
        break;
    }
  }
  return 0;
}
