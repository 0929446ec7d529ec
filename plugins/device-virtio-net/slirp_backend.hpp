// User-mode networking through libslirp (the library behind QEMU's
// -netdev user): the guest's network is 10.0.2.0/24 with DHCP from
// 10.0.2.15, the host (and its loopback) at 10.0.2.2 and DNS at 10.0.2.3.
// libslirp is not thread-safe, so everything it does runs on one thread of
// the backend's own: its sockets, its timers, the guest's frames (queued by
// send() from any thread) and the frames for the guest (handed to the
// receive callback on that thread).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include <poll.h>
#include <slirp/libslirp.h>
#include <spdlog/logger.h>

#include "net_options.hpp"

namespace mosaic::virtio_net {

class SlirpBackend {
 public:
  using Receive = std::function<void(std::span<const std::uint8_t> frame)>;

  // Throws SetupError when a port forward cannot be set up (the port is
  // taken, say).
  SlirpBackend(const NetOptions& options, Receive receive, std::shared_ptr<spdlog::logger> log);
  ~SlirpBackend();
  SlirpBackend(const SlirpBackend&) = delete;
  SlirpBackend& operator=(const SlirpBackend&) = delete;

  // A frame from the guest; copied, and sent on the backend's thread.
  void send(std::span<const std::uint8_t> frame);

 private:
  struct Timer {
    SlirpTimerId id;
    void* cb_opaque;
    std::int64_t expire_ms = -1;  // -1: not armed
  };

  void run();
  void wake();
  int next_timeout_ms();
  void fire_timers();

  // libslirp's callbacks (opaque = this).
  static ssize_t send_packet(const void* buffer, size_t length, void* opaque);
  static void guest_error(const char* message, void* opaque);
  static std::int64_t clock_ns(void* opaque);
  static void* timer_new_opaque(SlirpTimerId id, void* cb_opaque, void* opaque);
  static void timer_free(void* timer, void* opaque);
  static void timer_mod(void* timer, std::int64_t expire_ms, void* opaque);
  static void poll_fd_changed(int fd, void* opaque);
  static void notify(void* opaque);
  static int add_poll(int fd, int events, void* opaque);
  static int get_revents(int index, void* opaque);

  Receive receive_;
  std::shared_ptr<spdlog::logger> log_;
  SlirpCb callbacks_{};
  Slirp* slirp_ = nullptr;
  int wake_fd_ = -1;  // an eventfd in every poll set
  std::vector<pollfd> poll_fds_;
  std::map<Timer*, std::unique_ptr<Timer>> timers_;
  std::mutex outgoing_mutex_;
  std::deque<std::vector<std::uint8_t>> outgoing_;
  bool stopping_ = false;  // under outgoing_mutex_
  std::thread thread_;
};

}  // namespace mosaic::virtio_net
