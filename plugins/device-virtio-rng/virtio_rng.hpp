// virtio-rng (virtio 1.2 section 5.4): the guest's requests are filled with
// bytes from the host's getrandom(2).
#pragma once

#include <atomic>

#include "mosaic/virtio/device.hpp"

namespace mosaic::virtio_rng {

class EntropyDevice final : public virtio::Device {
 public:
  std::uint16_t device_type() const override { return virtio::device_type::kEntropy; }
  std::uint64_t device_features() const override { return 0; }
  unsigned queue_count() const override { return 1; }
  std::uint32_t config_size() const override { return 0; }
  void read_config(std::uint32_t, std::span<std::byte>) override {}
  void activate(std::uint64_t features, virtio::Queues& queues) override;
  void queue_notified(unsigned queue) override;
  void reset() override { queues_ = nullptr; }

 private:
  std::atomic<virtio::Queues*> queues_{nullptr};
};

}  // namespace mosaic::virtio_rng
