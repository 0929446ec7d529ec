// virtio-net (virtio 1.2 section 5.1) on a frame backend: a receive queue
// and a transmit queue, the MAC and the link status in the configuration.
// No mergeable receive buffers or offloads: Linux then posts buffers that
// each hold a full 1514-byte frame and its 12-byte header, which is all a
// 1500-byte MTU needs.
// Threads: transmit runs on the vCPU thread that kicked (a frame is only
// copied to the backend); receive runs on the backend's thread, and on the
// vCPU thread that posts new receive buffers, under one mutex.
#pragma once

#include <array>
#include <deque>
#include <functional>
#include <mutex>
#include <span>
#include <vector>

#include "mosaic/virtio/device.hpp"

namespace mosaic::virtio_net {

namespace net_feature {
inline constexpr std::uint64_t kMac = 1ull << 5;
inline constexpr std::uint64_t kStatus = 1ull << 16;
}  // namespace net_feature

class NetworkDevice final : public virtio::Device {
 public:
  // virtio_net_hdr with VERSION_1: flags, gso_type, hdr_len, gso_size,
  // csum_start, csum_offset, num_buffers.
  static constexpr std::size_t kHeaderBytes = 12;
  static constexpr unsigned kReceiveQueue = 0, kTransmitQueue = 1;
  // Frames for the guest held while it has posted no buffer; older ones are
  // dropped beyond this.
  static constexpr std::size_t kMaxPendingFrames = 256;
  static constexpr std::size_t kMaxFrameBytes = 1514;

  using Transmit = std::function<void(std::span<const std::uint8_t> frame)>;

  NetworkDevice(std::array<std::uint8_t, 6> mac, Transmit transmit) : mac_(mac), transmit_(std::move(transmit)) {}

  std::uint16_t device_type() const override { return virtio::device_type::kNetwork; }
  std::uint64_t device_features() const override { return net_feature::kMac | net_feature::kStatus; }
  unsigned queue_count() const override { return 2; }
  std::uint32_t config_size() const override { return 10; }
  void read_config(std::uint32_t offset, std::span<std::byte> out) override;
  void activate(std::uint64_t features, virtio::Queues& queues) override;
  void queue_notified(unsigned queue) override;
  void reset() override;

  // A frame for the guest (from the backend).
  void receive(std::span<const std::uint8_t> frame);

 private:
  void deliver_pending();  // with mutex_ held
  void transmit_all();

  std::array<std::uint8_t, 6> mac_;
  Transmit transmit_;
  std::mutex mutex_;
  virtio::Queues* queues_ = nullptr;
  std::deque<std::vector<std::uint8_t>> pending_;
  std::mutex transmit_mutex_;
};

}  // namespace mosaic::virtio_net
