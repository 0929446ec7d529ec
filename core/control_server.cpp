#include "control_server.hpp"

#include <sys/stat.h>

#include <deque>
#include <algorithm>
#include <chrono>
#include <thread>

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>
#include <fmt/std.h>

#include "mosaic/errors.hpp"

namespace mosaic::core {

using boost::asio::local::stream_protocol;

// One client: reads request lines, writes replies and events in order.
class ControlServer::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(stream_protocol::socket socket, ControlProtocol& protocol) : socket_(std::move(socket)), protocol_(protocol) {}

  void start(std::string greeting) {
    send(std::move(greeting));
    read();
  }

  // On the I/O thread.
  void send(std::string line) {
    line.push_back('\n');
    outbox_.push_back(std::move(line));
    if (outbox_.size() == 1) write_next();
  }

  // Closes once what is queued has been written.
  void close_after_flush() {
    closing_ = true;
    if (outbox_.empty()) close();
  }

  void close() {
    boost::system::error_code ignored;
    socket_.shutdown(stream_protocol::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

 private:
  void read() {
    socket_.async_read_some(boost::asio::buffer(chunk_), [self = shared_from_this()](auto error, std::size_t n) {
      if (error) return;
      self->take(std::string_view(self->chunk_.data(), n));
      self->read();
    });
  }

  // Splits what arrived into lines; a line that outgrows the limit gets one
  // error reply and is skipped up to its newline.
  void take(std::string_view data) {
    for (char c : data) {
      if (c == '\n') {
        if (skipping_) {
          skipping_ = false;
        } else if (line_.find_first_not_of(" \t\r") != std::string::npos) {
          send(protocol_.handle(line_));
        }
        line_.clear();
        continue;
      }
      if (skipping_) continue;
      line_.push_back(c);
      if (line_.size() > ControlProtocol::kMaxLine) {
        send(ControlProtocol::oversized_reply());
        line_.clear();
        skipping_ = true;
      }
    }
  }

  void write_next() {
    boost::asio::async_write(socket_, boost::asio::buffer(outbox_.front()),
                             [self = shared_from_this()](auto error, std::size_t) {
                               if (error) return;
                               self->outbox_.pop_front();
                               if (!self->outbox_.empty()) {
                                 self->write_next();
                               } else if (self->closing_) {
                                 self->close();
                               }
                             });
  }

  stream_protocol::socket socket_;
  ControlProtocol& protocol_;
  std::array<char, 4096> chunk_{};
  std::string line_;
  bool skipping_ = false;
  bool closing_ = false;
  std::deque<std::string> outbox_;
};

ControlServer::ControlServer(boost::asio::io_context& io, const std::filesystem::path& path, VmControl& vm,
                             std::shared_ptr<spdlog::logger> log)
    : io_(io), path_(path), protocol_(vm), log_(std::move(log)), acceptor_(io) {
  struct stat existing {};
  if (::lstat(path.c_str(), &existing) == 0) {
    if (!S_ISSOCK(existing.st_mode)) {
      throw SetupError(fmt::format("control socket {}: the path exists and is not a socket", path));
    }
    std::filesystem::remove(path);
  }
  try {
    // Created 0600 (owner read and write only), so that no other
    // user can connect between bind() and a chmod().
    const mode_t previous = ::umask(0177);
    boost::system::error_code error;
    acceptor_.open(stream_protocol(), error);
    if (!error) acceptor_.bind(stream_protocol::endpoint(path.string()), error);
    ::umask(previous);
    if (error) throw boost::system::system_error(error);
    acceptor_.listen();
  } catch (const boost::system::system_error& error) {
    throw SetupError(fmt::format("control socket {}: {}", path, error.code().message()));
  }
  log_->info("control socket: {}", path);
  accept();
}

ControlServer::~ControlServer() {
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  std::error_code not_removed;
  std::filesystem::remove(path_, not_removed);
}

void ControlServer::accept() {
  acceptor_.async_accept([this](const boost::system::error_code& error, stream_protocol::socket socket) {
    if (error) return;
    auto session = std::make_shared<Session>(std::move(socket), protocol_);
    {
      std::lock_guard lock(sessions_mutex_);
      std::erase_if(sessions_, [](const std::weak_ptr<Session>& s) { return s.expired(); });
      sessions_.push_back(session);
    }
    log_->debug("control client connected");
    session->start(ControlProtocol::greeting(MOSAIC_VERSION));
    accept();
  });
}

void ControlServer::broadcast(std::string line) {
  boost::asio::post(io_, [this, line = std::move(line)] {
    std::lock_guard lock(sessions_mutex_);
    for (const auto& weak : sessions_) {
      if (auto session = weak.lock()) session->send(line);
    }
  });
}

void ControlServer::close() {
  boost::asio::post(io_, [this] {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    std::lock_guard lock(sessions_mutex_);
    for (const auto& weak : sessions_) {
      if (auto session = weak.lock()) session->close_after_flush();
    }
  });
  // A session ends when its last handler has run; a client that does not
  // read is given a second, then the I/O thread's end cuts it off.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  while (std::chrono::steady_clock::now() < deadline) {
    {
      std::lock_guard lock(sessions_mutex_);
      if (std::all_of(sessions_.begin(), sessions_.end(), [](const auto& weak) { return weak.expired(); })) return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace mosaic::core
