#include "gdb_server.hpp"


#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>

#include "mosaic/errors.hpp"

namespace mosaic::gdb {

using boost::asio::ip::tcp;

GdbServer::GdbServer(ServerOptions options, std::shared_ptr<spdlog::logger> log)
    : options_(std::move(options)), log_(std::move(log)), acceptor_(io_) {}

GdbServer::~GdbServer() {
  // Sockets belong to the I/O thread: close them there, then end it. Before
  // attach() (`mosaic check`) there is no thread.
  if (!io_thread_.joinable()) return;
  boost::asio::post(io_, [this] {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    if (client_) client_->close(ignored);
    io_.stop();
  });
  io_thread_.join();
}

void GdbServer::attach(DebugTarget& target) {
  target_ = &target;
  boost::system::error_code error;
  const auto address = boost::asio::ip::make_address(options_.address, error);
  if (error) throw SetupError(fmt::format("gdb: '{}' is not an IP address", options_.address));
  const tcp::endpoint endpoint(address, static_cast<unsigned short>(options_.port));
  acceptor_.open(endpoint.protocol(), error);
  if (!error) acceptor_.set_option(tcp::acceptor::reuse_address(true), error);
  if (!error) acceptor_.bind(endpoint, error);
  if (!error) acceptor_.listen(1, error);
  if (error) {
    throw SetupError(fmt::format("gdb: cannot listen on {}:{}: {}", options_.address, options_.port, error.message()));
  }
  log_->info("gdb: listening on {}:{}{}", options_.address, acceptor_.local_endpoint().port(),
             options_.wait_for_attach ? ", vCPUs held until a debugger attaches" : "");
  if (options_.wait_for_attach) target.stop_all();
  target.on_debug_stop([this](std::size_t vcpu, const DebugExit& exit) {
    boost::asio::post(io_, [this, vcpu, exit] {
      if (session_) session_->report_stop(vcpu, exit);
    });
  });
  boost::asio::post(io_, [this] { accept_next(); });
  io_thread_ = std::thread([this] { io_.run(); });
}

void GdbServer::accept_next() {
  acceptor_.async_accept([this](const boost::system::error_code& error, tcp::socket socket) {
    if (error == boost::asio::error::operation_aborted) return;
    if (!error) {
      if (client_) {
        log_->warn("gdb: refused a second client from {}: one debugger at a time",
                   socket.remote_endpoint().address().to_string());
        boost::system::error_code ignored;
        boost::asio::write(socket, boost::asio::buffer(std::string_view("$E01#a6")), ignored);
        socket.close(ignored);
      } else {
        start_session(std::move(socket));
      }
    }
    accept_next();
  });
}

void GdbServer::start_session(tcp::socket socket) {
  log_->info("gdb: client connected from {}", socket.remote_endpoint().address().to_string());
  socket.set_option(tcp::no_delay(true));
  client_.emplace(std::move(socket));
  target_->stop_all();
  session_ = std::make_unique<GdbSession>(*target_, [this](std::string bytes) { send(std::move(bytes)); }, log_);
  read_next();
}

void GdbServer::read_next() {
  client_->async_read_some(boost::asio::buffer(read_buffer_), [this](const boost::system::error_code& error,
                                                                     std::size_t length) {
    if (error) {
      if (error != boost::asio::error::operation_aborted) end_session();
      return;
    }
    session_->receive(std::string_view(read_buffer_.data(), length));
    if (client_) read_next();
  });
}

void GdbServer::send(std::string bytes) {
  if (!client_) return;
  boost::system::error_code error;
  // Replies are small; a blocking write keeps them in order.
  boost::asio::write(*client_, boost::asio::buffer(bytes), error);
  if (error) log_->warn("gdb: write to client failed: {}", error.message());
}

void GdbServer::end_session() {
  log_->info("gdb: client disconnected; the guest runs on");
  session_->disconnect();
  session_.reset();
  boost::system::error_code ignored;
  client_->close(ignored);
  client_.reset();
}

}  // namespace mosaic::gdb
