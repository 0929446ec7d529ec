// The core's side of the SDK's Host: loggers, the console, the I/O thread
// and guest RAM.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <spdlog/sinks/sink.h>

#include "guest_ram.hpp"
#include "mosaic/host.hpp"
#include "stdio_console.hpp"

namespace mosaic::core {

class CoreHost final : public Host {
 public:
  // `on_console_escape` runs on the I/O thread when the user types Ctrl-A x.
  CoreHost(spdlog::level::level_enum level, std::function<void()> on_console_escape);
  ~CoreHost() override;

  std::shared_ptr<spdlog::logger> logger(std::string_view name) override;
  Console& console() override { return console_; }
  boost::asio::io_context& io_context() { return io_; }
  GuestMemory& guest_memory() override;

  void allocate_guest_memory(std::uint64_t bytes);
  // Starts the I/O thread (console input, sockets); stop_io() joins it.
  void start_io();
  void stop_io();

 private:
  spdlog::level::level_enum level_;
  std::shared_ptr<spdlog::sinks::sink> sink_;
  std::mutex loggers_mutex_;
  std::map<std::string, std::shared_ptr<spdlog::logger>, std::less<>> loggers_;
  boost::asio::io_context io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::thread io_thread_;
  StdioConsole console_;
  std::optional<GuestRam> ram_;
};

}  // namespace mosaic::core
