// A logger that discards everything, for units under test that log.
#pragma once

#include <memory>

#include <spdlog/logger.h>
#include <spdlog/sinks/null_sink.h>

namespace mosaic::testing {

inline std::shared_ptr<spdlog::logger> null_logger() {
  return std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::null_sink_mt>());
}

}  // namespace mosaic::testing
