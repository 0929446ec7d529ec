#include "virtio_net.hpp"

namespace mosaic::virtio_net {

void NetworkDevice::read_config(std::uint32_t offset, std::span<std::byte> out) {
  // 5.1.4: mac[6], le16 status (VIRTIO_NET_S_LINK_UP), le16 max_virtqueue_pairs.
  std::array<std::byte, 10> config{};
  for (int i = 0; i < 6; ++i) config[i] = std::byte{mac_[i]};
  config[6] = std::byte{1};
  config[8] = std::byte{1};
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = offset + i < config.size() ? config[offset + i] : std::byte{0};
}

void NetworkDevice::activate(std::uint64_t, virtio::Queues& queues) {
  std::lock_guard lock(mutex_);
  queues_ = &queues;
  deliver_pending();
}

void NetworkDevice::reset() {
  std::lock_guard transmit_lock(transmit_mutex_);
  std::lock_guard lock(mutex_);
  queues_ = nullptr;
  pending_.clear();
}

void NetworkDevice::queue_notified(unsigned queue) {
  if (queue == kTransmitQueue) {
    transmit_all();
  } else if (queue == kReceiveQueue) {
    std::lock_guard lock(mutex_);
    deliver_pending();  // the driver posted buffers
  }
}

void NetworkDevice::transmit_all() {
  std::lock_guard transmit_lock(transmit_mutex_);
  virtio::Queues* queues = nullptr;
  {
    std::lock_guard lock(mutex_);
    queues = queues_;
  }
  if (queues == nullptr) return;
  std::vector<std::uint8_t> frame;
  while (auto chain = queues->pop(kTransmitQueue)) {
    // 5.1.6.2: the header, then the frame, in readable buffers.
    if (chain->readable_bytes > kHeaderBytes && chain->readable_bytes - kHeaderBytes <= kMaxFrameBytes + 4) {
      frame.resize(static_cast<std::size_t>(chain->readable_bytes - kHeaderBytes));
      chain->read(kHeaderBytes, std::as_writable_bytes(std::span(frame)));
      transmit_(frame);
    }
    queues->complete(kTransmitQueue, *chain, 0);
  }
}

void NetworkDevice::receive(std::span<const std::uint8_t> frame) {
  if (frame.size() > kMaxFrameBytes) return;
  std::lock_guard lock(mutex_);
  if (pending_.size() == kMaxPendingFrames) pending_.pop_front();
  pending_.emplace_back(frame.begin(), frame.end());
  deliver_pending();
}

void NetworkDevice::deliver_pending() {
  if (queues_ == nullptr) return;
  while (!pending_.empty()) {
    auto chain = queues_->pop(kReceiveQueue);
    if (!chain) return;  // no buffer posted: the frames wait
    const auto& frame = pending_.front();
    std::uint32_t written = 0;
    if (chain->writable_bytes >= kHeaderBytes + frame.size()) {
      std::array<std::byte, kHeaderBytes> header{};
      header[10] = std::byte{1};  // num_buffers
      chain->write(0, header);
      chain->write(kHeaderBytes, std::as_bytes(std::span(frame)));
      written = static_cast<std::uint32_t>(kHeaderBytes + frame.size());
    }
    // A buffer too small for the frame is returned empty and the frame dropped.
    pending_.pop_front();
    queues_->complete(kReceiveQueue, *chain, written);
  }
}

}  // namespace mosaic::virtio_net
