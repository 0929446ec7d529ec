#include "stdio_console.hpp"

#include <algorithm>
#include <cerrno>

#include <boost/asio/post.hpp>
#include <fcntl.h>
#include <unistd.h>

namespace mosaic::core {

namespace {
constexpr char kEscape = 0x01;  // Ctrl-A
constexpr char kQuit = 'x';
}  // namespace

StdioConsole::StdioConsole(boost::asio::io_context& io, std::function<void()> on_escape)
    : io_(io), on_escape_(std::move(on_escape)) {
  if (isatty(STDIN_FILENO)) {
    termios terminal{};
    if (tcgetattr(STDIN_FILENO, &terminal) == 0) {
      saved_terminal_ = terminal;
      cfmakeraw(&terminal);
      terminal.c_oflag |= OPOST | ONLCR;  // keep guest "\n" readable on the terminal
      tcsetattr(STDIN_FILENO, TCSANOW, &terminal);
    }
  }
}

StdioConsole::~StdioConsole() {
  if (input_) close(input_->release());
  if (file_reader_.joinable()) file_reader_.join();
  if (saved_terminal_) tcsetattr(STDIN_FILENO, TCSANOW, &*saved_terminal_);
}

void StdioConsole::start() {
  const int input_fd = dup(STDIN_FILENO);
  if (input_fd < 0) return;
  boost::system::error_code error;
  input_.emplace(io_);
  input_->assign(input_fd, error);
  if (!error) {
    read_next();
    return;
  }
  // epoll refuses regular files and /dev/null: read those on a thread of
  // their own, which ends at end of file.
  input_.reset();
  close(input_fd);
  file_reader_ = std::thread([this] { read_blocking_file(); });
}

void StdioConsole::read_blocking_file() {
  std::array<char, 256> chunk{};
  for (;;) {
    const ssize_t count = ::read(STDIN_FILENO, chunk.data(), chunk.size());
    if (count < 0 && errno == EINTR) continue;
    if (count <= 0) return;
    std::vector<char> bytes(chunk.begin(), chunk.begin() + count);
    boost::asio::post(io_, [this, bytes = std::move(bytes)] { accept_input(bytes); });
  }
}

void StdioConsole::read_next() {
  input_->async_read_some(boost::asio::buffer(buffer_), [this](const boost::system::error_code& error, std::size_t n) {
    if (error) return;  // end of input: the guest just gets no more
    accept_input(std::span<const char>(buffer_.data(), n));
    read_next();
  });
}

void StdioConsole::accept_input(std::span<const char> bytes) {
  bool received = false;
  {
    std::lock_guard lock(mutex_);
    for (const char c : bytes) {
      if (escape_pending_) {
        escape_pending_ = false;
        if (c == kQuit) {
          if (on_escape_) on_escape_();
          continue;
        }
        if (c != kEscape) continue;  // unknown escapes are swallowed
      } else if (c == kEscape) {
        escape_pending_ = true;
        continue;
      }
      pending_.push_back(static_cast<std::byte>(c));
      received = true;
    }
  }
  if (received) {
    std::function<void()> handler;
    {
      std::lock_guard lock(mutex_);
      handler = input_handler_;
    }
    if (handler) handler();
  }
}

void StdioConsole::write(std::span<const std::byte> bytes) {
  std::lock_guard lock(write_mutex_);
  const auto* data = reinterpret_cast<const char*>(bytes.data());
  std::size_t remaining = bytes.size();
  while (remaining > 0) {
    const ssize_t written = ::write(STDOUT_FILENO, data, remaining);
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return;  // stdout closed: the guest's output is lost, the run goes on
    data += written;
    remaining -= static_cast<std::size_t>(written);
  }
}

std::size_t StdioConsole::read(std::span<std::byte> out) {
  std::lock_guard lock(mutex_);
  const std::size_t count = std::min(out.size(), pending_.size());
  std::copy_n(pending_.begin(), count, out.begin());
  pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(count));
  return count;
}

void StdioConsole::on_input(std::function<void()> handler) {
  std::lock_guard lock(mutex_);
  input_handler_ = std::move(handler);
}

}  // namespace mosaic::core
