#include "virtio_rng.hpp"

#include <sys/random.h>

#include <algorithm>
#include <cerrno>
#include <vector>

namespace mosaic::virtio_rng {

namespace {

// A request is filled up to this many bytes (the driver reads what it got):
// one request cannot keep a vCPU thread in getrandom for long.
constexpr std::size_t kMaxRequestBytes = 64 * 1024;

std::size_t fill_random(std::span<std::byte> out) {
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t count = getrandom(out.data() + done, out.size() - done, 0);
    if (count < 0) {
      if (errno == EINTR) continue;
      break;
    }
    done += static_cast<std::size_t>(count);
  }
  return done;
}

}  // namespace

void EntropyDevice::activate(std::uint64_t, virtio::Queues& queues) { queues_ = &queues; }

void EntropyDevice::queue_notified(unsigned queue) {
  virtio::Queues* queues = queues_;
  if (queues == nullptr || queue != 0) return;
  while (auto chain = queues->pop(0)) {
    std::uint32_t written = 0;
    for (const auto& buffer : chain->writable) {
      const std::size_t want = std::min(buffer.size(), kMaxRequestBytes - written);
      const std::size_t got = fill_random(buffer.first(want));
      written += static_cast<std::uint32_t>(got);
      if (got < want || written == kMaxRequestBytes) break;
    }
    queues->complete(0, *chain, written);
  }
}

}  // namespace mosaic::virtio_rng
