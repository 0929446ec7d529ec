// The guest console on the host's stdin/stdout. Input is read on the I/O
// thread; a terminal is switched to raw mode (restored on exit) and the
// escape Ctrl-A x ends the run, Ctrl-A Ctrl-A sends one Ctrl-A.
#pragma once

#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <termios.h>

#include "mosaic/host.hpp"

namespace mosaic::core {

class StdioConsole final : public Console {
 public:
  StdioConsole(boost::asio::io_context& io, std::function<void()> on_escape);
  ~StdioConsole() override;

  // Begins reading stdin; call once the I/O thread is about to run.
  void start();

  void write(std::span<const std::byte> bytes) override;
  std::size_t read(std::span<std::byte> out) override;
  void on_input(std::function<void()> handler) override;

 private:
  void read_next();
  void accept_input(std::span<const char> bytes);
  void read_blocking_file();

  boost::asio::io_context& io_;
  std::function<void()> on_escape_;
  std::optional<boost::asio::posix::stream_descriptor> input_;
  std::thread file_reader_;  // stdin that epoll cannot watch (a file, /dev/null)
  std::optional<termios> saved_terminal_;
  std::array<char, 256> buffer_{};
  bool escape_pending_ = false;

  std::mutex mutex_;
  std::deque<std::byte> pending_;
  std::function<void()> input_handler_;
  std::mutex write_mutex_;
};

}  // namespace mosaic::core
