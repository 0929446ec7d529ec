// Services the core offers to every plugin: named loggers, the console and
// guest memory. Plugins reach the host only through this.
//
// The core's I/O thread is not offered: Boost.Asio is header-only, and a
// plugin's copy of it (hidden symbols) has its own per-thread state, so its
// sockets cannot be served by the core's io_context. A plugin that needs
// sockets runs its own (see plugins/debug-gdb/gdb_server.hpp).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <string_view>

#include <spdlog/logger.h>

#include "mosaic/guest_memory.hpp"

namespace mosaic {

// The guest's console on the host side (stdio or a pipe). Guest output never
// goes through a logger, so it is never mixed into log lines.
class Console {
 public:
  virtual ~Console() = default;
  // Thread-safe; writes the bytes as they are.
  virtual void write(std::span<const std::byte> bytes) = 0;
  // Thread-safe; moves up to out.size() pending input bytes into `out` and
  // returns how many. Never blocks.
  virtual std::size_t read(std::span<std::byte> out) = 0;
  // Called on the I/O thread whenever new input is pending (e.g. to raise
  // the guest's console interrupt). Replaces any earlier handler.
  virtual void on_input(std::function<void()> handler) = 0;
};

class Host {
 public:
  virtual ~Host() = default;
  // A logger named after the area ("pseries.hcall", "interp", ...), at the
  // level configured for the run.
  virtual std::shared_ptr<spdlog::logger> logger(std::string_view name) = 0;
  virtual Console& console() = 0;
  virtual GuestMemory& guest_memory() = 0;
};

}  // namespace mosaic
