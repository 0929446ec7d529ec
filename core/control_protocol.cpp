#include "control_protocol.hpp"

#include <chrono>
#include <stdexcept>

#include <fmt/format.h>

namespace mosaic::core {

namespace {

using nlohmann::json;

// A failed command: QMP's error classes.
struct CommandError : std::runtime_error {
  CommandError(std::string error_class, const std::string& desc)
      : std::runtime_error(desc), error_class(std::move(error_class)) {}
  std::string error_class;
};

json error_reply(std::string_view error_class, std::string_view desc) {
  return {{"error", {{"class", error_class}, {"desc", desc}}}};
}

// Checks a command's arguments as QMP does: every argument is one it
// takes, and each it needs is there as a string. Returns the strings.
std::vector<std::string> string_arguments(const std::string& name, const json& arguments,
                                          const std::vector<std::string>& needed) {
  for (const auto& [key, value] : arguments.items()) {
    if (std::find(needed.begin(), needed.end(), key) == needed.end()) {
      throw CommandError("GenericError", fmt::format("Parameter '{}' is unexpected for '{}'", key, name));
    }
  }
  std::vector<std::string> values;
  for (const std::string& key : needed) {
    const auto found = arguments.find(key);
    if (found == arguments.end()) throw CommandError("GenericError", fmt::format("Parameter '{}' is missing", key));
    if (!found->is_string()) {
      throw CommandError("GenericError", fmt::format("Invalid parameter type for '{}', expected: string", key));
    }
    values.push_back(found->get<std::string>());
  }
  return values;
}

}  // namespace

const std::vector<std::string>& ControlProtocol::command_names() {
  static const std::vector<std::string> names{"qmp_capabilities", "query-commands", "query-status", "stop",
                                              "cont",             "system_powerdown", "system_reset", "quit",
                                              "query-vcpus",      "query-devices",    "snapshot-save",
                                              "switch-accelerator"};
  return names;
}

std::string ControlProtocol::greeting(std::string_view version) {
  return json{{"QMP", {{"version", {{"mosaic", version}}}, {"capabilities", json::array()}}}}.dump();
}

std::string ControlProtocol::oversized_reply() {
  return error_reply("GenericError", fmt::format("request line longer than {} bytes", kMaxLine)).dump();
}

std::string ControlProtocol::event(std::string_view name, const json& data) {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now);
  const auto microseconds = std::chrono::duration_cast<std::chrono::microseconds>(now - seconds);
  return json{{"event", name},
              {"data", data},
              {"timestamp", {{"seconds", seconds.count()}, {"microseconds", microseconds.count()}}}}
      .dump();
}

std::string ControlProtocol::handle(std::string_view line) {
  json request;
  try {
    request = json::parse(line);
  } catch (const json::parse_error& error) {
    return error_reply("GenericError", fmt::format("JSON parse error: {}", error.what())).dump();
  }
  json reply;
  try {
    if (!request.is_object()) throw CommandError("GenericError", "a request must be a JSON object");
    const auto execute = request.find("execute");
    if (execute == request.end() || !execute->is_string()) {
      throw CommandError("GenericError", "a request needs \"execute\" with a command name");
    }
    for (const auto& [key, value] : request.items()) {
      if (key != "execute" && key != "arguments" && key != "id") {
        throw CommandError("GenericError", fmt::format("request member '{}' is unexpected", key));
      }
    }
    json arguments = json::object();
    if (const auto found = request.find("arguments"); found != request.end()) {
      if (!found->is_object()) throw CommandError("GenericError", "\"arguments\" must be a JSON object");
      arguments = *found;
    }
    reply = {{"return", this->execute(execute->get<std::string>(), arguments)}};
  } catch (const CommandError& error) {
    reply = error_reply(error.error_class, error.what());
  }
  if (request.is_object()) {
    if (const auto id = request.find("id"); id != request.end()) reply["id"] = *id;
  }
  return reply.dump();
}

json ControlProtocol::execute(const std::string& name, const json& arguments) {
  const auto& names = command_names();
  if (std::find(names.begin(), names.end(), name) == names.end()) {
    throw CommandError("CommandNotFound", fmt::format("The command {} has not been found", name));
  }
  if (name == "snapshot-save" || name == "switch-accelerator") {
    const bool save = name == "snapshot-save";
    const std::string value = string_arguments(name, arguments, {save ? "path" : "name"})[0];
    try {
      if (save) vm_.snapshot_save(value);
      else vm_.switch_accelerator(value);
    } catch (const std::exception& error) {
      throw CommandError("GenericError", error.what());
    }
    return json::object();
  }
  string_arguments(name, arguments, {});
  if (name == "qmp_capabilities") return json::object();
  if (name == "query-commands") {
    json list = json::array();
    for (const std::string& command : names) list.push_back({{"name", command}});
    return list;
  }
  if (name == "query-status") {
    const bool paused = vm_.paused();
    return {{"status", paused ? "paused" : "running"}, {"running", !paused}};
  }
  if (name == "stop") vm_.stop();
  if (name == "cont") vm_.cont();
  if (name == "system_powerdown") vm_.powerdown();
  if (name == "system_reset") vm_.reset();
  if (name == "quit") vm_.quit();
  if (name == "query-vcpus") {
    json list = json::array();
    for (const VcpuStatus& vcpu : vm_.vcpus()) {
      json entry{{"cpu-index", vcpu.index}, {"state", vcpu.state}};
      for (const auto& [register_name, value] : vcpu.registers) entry[register_name] = value;
      list.push_back(std::move(entry));
    }
    return list;
  }
  if (name == "query-devices") {
    json list = json::array();
    for (const auto& device : vm_.devices()) list.push_back({{"type", device.type}, {"plugin", device.plugin}});
    return list;
  }
  return json::object();
}

}  // namespace mosaic::core
