#include "core_host.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>

#include "mosaic/errors.hpp"

namespace mosaic::core {

CoreHost::CoreHost(spdlog::level::level_enum level, std::function<void()> on_console_escape)
    : level_(level), sink_(std::make_shared<spdlog::sinks::stderr_color_sink_mt>()),
      console_(io_, std::move(on_console_escape)) {
  sink_->set_pattern("[%H:%M:%S.%e] [%n] [%^%l%$] %v");
}

CoreHost::~CoreHost() { stop_io(); }

std::shared_ptr<spdlog::logger> CoreHost::logger(std::string_view name) {
  std::lock_guard lock(loggers_mutex_);
  if (const auto found = loggers_.find(name); found != loggers_.end()) return found->second;
  auto created = std::make_shared<spdlog::logger>(std::string(name), sink_);
  created->set_level(level_);
  created->flush_on(spdlog::level::warn);
  loggers_.emplace(std::string(name), created);
  return created;
}

GuestMemory& CoreHost::guest_memory() {
  if (!ram_) throw SetupError("guest memory is used before it is allocated");
  return ram_->memory();
}

void CoreHost::allocate_guest_memory(std::uint64_t bytes) { ram_.emplace(bytes); }

void CoreHost::start_io() {
  if (io_thread_.joinable()) return;
  work_.emplace(io_.get_executor());
  console_.start();
  io_thread_ = std::thread([this] { io_.run(); });
}

void CoreHost::stop_io() {
  if (!io_thread_.joinable()) return;
  work_.reset();
  io_.stop();
  io_thread_.join();
}

}  // namespace mosaic::core
