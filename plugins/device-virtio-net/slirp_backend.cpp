#include "slirp_backend.hpp"

#include <arpa/inet.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

#include <fmt/format.h>

#include "mosaic/errors.hpp"

namespace mosaic::virtio_net {

namespace {

// Frames the guest sent that the backend thread has not taken yet: past
// this, a flood from the guest is dropped (TCP will send again).
constexpr std::size_t kMaxOutgoing = 1024;

in_addr address(const char* text) {
  in_addr value{};
  inet_pton(AF_INET, text, &value);
  return value;
}

int to_poll_events(int slirp_events) {
  int events = 0;
  if (slirp_events & SLIRP_POLL_IN) events |= POLLIN;
  if (slirp_events & SLIRP_POLL_OUT) events |= POLLOUT;
  if (slirp_events & SLIRP_POLL_PRI) events |= POLLPRI;
  if (slirp_events & SLIRP_POLL_ERR) events |= POLLERR;
  if (slirp_events & SLIRP_POLL_HUP) events |= POLLHUP;
  return events;
}

}  // namespace

SlirpBackend::SlirpBackend(const NetOptions& options, Receive receive, std::shared_ptr<spdlog::logger> log)
    : receive_(std::move(receive)), log_(std::move(log)) {
  SlirpConfig config{};
  config.version = 4;
  config.in_enabled = true;
  config.vnetwork = address("10.0.2.0");
  config.vnetmask = address("255.255.255.0");
  config.vhost = address("10.0.2.2");
  config.vdhcp_start = address("10.0.2.15");
  config.vnameserver = address("10.0.2.3");
  config.vhostname = "mosaic";
  config.if_mtu = 1500;
  config.if_mru = 1500;

  callbacks_.send_packet = &SlirpBackend::send_packet;
  callbacks_.guest_error = &SlirpBackend::guest_error;
  callbacks_.clock_get_ns = &SlirpBackend::clock_ns;
  callbacks_.timer_free = &SlirpBackend::timer_free;
  callbacks_.timer_mod = &SlirpBackend::timer_mod;
  callbacks_.register_poll_fd = &SlirpBackend::poll_fd_changed;
  callbacks_.unregister_poll_fd = &SlirpBackend::poll_fd_changed;
  callbacks_.notify = &SlirpBackend::notify;
  callbacks_.timer_new_opaque = &SlirpBackend::timer_new_opaque;

  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) throw SetupError(fmt::format("virtio-net: eventfd: {}", std::strerror(errno)));
  slirp_ = slirp_new(&config, &callbacks_, this);
  if (slirp_ == nullptr) {
    ::close(wake_fd_);
    throw SetupError("virtio-net: libslirp could not start");
  }
  for (const PortForward& forward : options.forwards) {
    if (slirp_add_hostfwd(slirp_, forward.udp, forward.host_address, forward.host_port, forward.guest_address,
                          forward.guest_port) != 0) {
      slirp_cleanup(slirp_);
      ::close(wake_fd_);
      throw SetupError(fmt::format("virtio-net: cannot forward {}: the host port is taken or not allowed",
                                   forward.text));
    }
    log_->info("forwarding {}", forward.text);
  }
  thread_ = std::thread([this] { run(); });
}

SlirpBackend::~SlirpBackend() {
  {
    std::lock_guard lock(outgoing_mutex_);
    stopping_ = true;
  }
  wake();
  thread_.join();
  slirp_cleanup(slirp_);
  ::close(wake_fd_);
}

void SlirpBackend::send(std::span<const std::uint8_t> frame) {
  {
    std::lock_guard lock(outgoing_mutex_);
    if (outgoing_.size() >= kMaxOutgoing) return;
    outgoing_.emplace_back(frame.begin(), frame.end());
  }
  wake();
}

void SlirpBackend::wake() {
  const std::uint64_t one = 1;
  [[maybe_unused]] const ssize_t written = ::write(wake_fd_, &one, sizeof one);
}

void SlirpBackend::run() {
  for (;;) {
    std::deque<std::vector<std::uint8_t>> frames;
    {
      std::lock_guard lock(outgoing_mutex_);
      if (stopping_) return;
      frames.swap(outgoing_);
    }
    for (const auto& frame : frames) slirp_input(slirp_, frame.data(), static_cast<int>(frame.size()));

    poll_fds_.clear();
    poll_fds_.push_back({wake_fd_, POLLIN, 0});
    std::uint32_t timeout = static_cast<std::uint32_t>(next_timeout_ms());
    slirp_pollfds_fill(slirp_, &timeout, &SlirpBackend::add_poll, this);
    const int ready = ::poll(poll_fds_.data(), poll_fds_.size(), static_cast<int>(std::min<std::uint32_t>(timeout, 1000)));
    if (poll_fds_[0].revents & POLLIN) {
      std::uint64_t count = 0;
      [[maybe_unused]] const ssize_t got = ::read(wake_fd_, &count, sizeof count);
    }
    slirp_pollfds_poll(slirp_, ready < 0, &SlirpBackend::get_revents, this);
    fire_timers();
  }
}

int SlirpBackend::next_timeout_ms() {
  const std::int64_t now = clock_ns(this) / 1'000'000;
  std::int64_t timeout = 1000;
  for (const auto& [key, timer] : timers_) {
    if (timer->expire_ms >= 0) timeout = std::min(timeout, std::max<std::int64_t>(0, timer->expire_ms - now));
  }
  return static_cast<int>(timeout);
}

void SlirpBackend::fire_timers() {
  const std::int64_t now = clock_ns(this) / 1'000'000;
  std::vector<Timer*> due;
  for (const auto& [key, timer] : timers_) {
    if (timer->expire_ms >= 0 && timer->expire_ms <= now) due.push_back(timer.get());
  }
  for (Timer* timer : due) {
    if (!timers_.count(timer)) continue;  // freed by an earlier one
    timer->expire_ms = -1;
    slirp_handle_timer(slirp_, timer->id, timer->cb_opaque);
  }
}

ssize_t SlirpBackend::send_packet(const void* buffer, size_t length, void* opaque) {
  auto* self = static_cast<SlirpBackend*>(opaque);
  self->receive_(std::span(static_cast<const std::uint8_t*>(buffer), length));
  return static_cast<ssize_t>(length);
}

void SlirpBackend::guest_error(const char* message, void* opaque) {
  static_cast<SlirpBackend*>(opaque)->log_->debug("libslirp: the guest misbehaves: {}", message);
}

std::int64_t SlirpBackend::clock_ns(void*) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void* SlirpBackend::timer_new_opaque(SlirpTimerId id, void* cb_opaque, void* opaque) {
  auto* self = static_cast<SlirpBackend*>(opaque);
  auto timer = std::make_unique<Timer>(Timer{id, cb_opaque, -1});
  Timer* key = timer.get();
  self->timers_.emplace(key, std::move(timer));
  return key;
}

void SlirpBackend::timer_free(void* timer, void* opaque) {
  static_cast<SlirpBackend*>(opaque)->timers_.erase(static_cast<Timer*>(timer));
}

void SlirpBackend::timer_mod(void* timer, std::int64_t expire_ms, void*) { static_cast<Timer*>(timer)->expire_ms = expire_ms; }

void SlirpBackend::poll_fd_changed(int, void*) {}  // the poll set is rebuilt every round

void SlirpBackend::notify(void* opaque) { static_cast<SlirpBackend*>(opaque)->wake(); }

int SlirpBackend::add_poll(int fd, int events, void* opaque) {
  auto* self = static_cast<SlirpBackend*>(opaque);
  self->poll_fds_.push_back({fd, static_cast<short>(to_poll_events(events)), 0});
  return static_cast<int>(self->poll_fds_.size() - 1);
}

int SlirpBackend::get_revents(int index, void* opaque) {
  auto* self = static_cast<SlirpBackend*>(opaque);
  if (index < 0 || static_cast<std::size_t>(index) >= self->poll_fds_.size()) return 0;
  const short revents = self->poll_fds_[static_cast<std::size_t>(index)].revents;
  int events = 0;
  if (revents & POLLIN) events |= SLIRP_POLL_IN;
  if (revents & POLLOUT) events |= SLIRP_POLL_OUT;
  if (revents & POLLPRI) events |= SLIRP_POLL_PRI;
  if (revents & POLLERR) events |= SLIRP_POLL_ERR;
  if (revents & POLLHUP) events |= SLIRP_POLL_HUP;
  return events;
}

}  // namespace mosaic::virtio_net
