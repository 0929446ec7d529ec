// virtio-blk (virtio 1.2 section 5.2) over a DiskImage. Requests run on an
// I/O thread of the device's own, so that a slow disk never holds a vCPU:
// a kick only wakes the thread. Flush is fdatasync; discard and
// write-zeroes punch holes where the host file system can; a host I/O
// error reaches the guest as VIRTIO_BLK_S_IOERR, with a log line.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <spdlog/logger.h>

#include "disk_image.hpp"
#include "mosaic/virtio/device.hpp"

namespace mosaic::virtio_blk {

// 5.2.6: request types and status values.
namespace request {
inline constexpr std::uint32_t kIn = 0;
inline constexpr std::uint32_t kOut = 1;
inline constexpr std::uint32_t kFlush = 4;
inline constexpr std::uint32_t kGetId = 8;
inline constexpr std::uint32_t kDiscard = 11;
inline constexpr std::uint32_t kWriteZeroes = 13;
inline constexpr std::uint8_t kStatusOk = 0;
inline constexpr std::uint8_t kStatusIoError = 1;
inline constexpr std::uint8_t kStatusUnsupported = 2;
}  // namespace request

// 5.2.3: feature bits.
namespace blk_feature {
inline constexpr std::uint64_t kSegMax = 1ull << 2;
inline constexpr std::uint64_t kReadOnly = 1ull << 5;
inline constexpr std::uint64_t kBlockSize = 1ull << 6;
inline constexpr std::uint64_t kFlush = 1ull << 9;
inline constexpr std::uint64_t kDiscard = 1ull << 13;
inline constexpr std::uint64_t kWriteZeroes = 1ull << 14;
}  // namespace blk_feature

inline constexpr std::size_t kSerialBytes = 20;  // VIRTIO_BLK_ID_BYTES

class BlockDevice final : public virtio::Device {
 public:
  static constexpr std::uint16_t kQueueSize = 256;
  // Discard and write-zeroes segments per request, and sectors per segment.
  static constexpr std::uint32_t kMaxSegments = 64;
  static constexpr std::uint32_t kMaxSegmentSectors = 1u << 22;  // 2 GiB

  BlockDevice(std::unique_ptr<DiskImage> image, std::string serial, std::shared_ptr<spdlog::logger> log);
  ~BlockDevice() override;

  std::uint16_t device_type() const override { return virtio::device_type::kBlock; }
  std::uint64_t device_features() const override;
  unsigned queue_count() const override { return 1; }
  std::uint16_t queue_max_size(unsigned) const override { return kQueueSize; }
  std::uint32_t config_size() const override { return 60; }
  void read_config(std::uint32_t offset, std::span<std::byte> out) override;
  void activate(std::uint64_t features, virtio::Queues& queues) override;
  void queue_notified(unsigned queue) override;
  void reset() override;

  // One request, as the I/O thread runs it; returns the bytes written into
  // the chain's writable buffers (the status byte included).
  std::uint32_t handle(const virtio::Chain& chain);

 private:
  void io_thread();
  std::uint8_t transfer(std::uint32_t type, std::uint64_t sector, const virtio::Chain& chain,
                        std::uint64_t data_bytes);
  std::uint8_t discard_or_zero(std::uint32_t type, const virtio::Chain& chain);
  std::uint8_t io_status(int error, const char* what, std::uint64_t sector);

  std::unique_ptr<DiskImage> image_;
  std::string serial_;
  std::shared_ptr<spdlog::logger> log_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  virtio::Queues* queues_ = nullptr;  // set while the driver has the device live
  bool kicked_ = false;
  bool busy_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace mosaic::virtio_blk
