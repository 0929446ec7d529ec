#include "vm.hpp"

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstring>
#include <utility>

#include <boost/asio/signal_set.hpp>
#include <fmt/format.h>
#include <fmt/std.h>

#include "control_server.hpp"
#include "core_host.hpp"
#include "machine_control.hpp"
#include "mosaic/plugin.hpp"
#include "snapshot_file.hpp"

namespace mosaic::core {

namespace {

// An object made by a plugin's factory, together with the library holding
// its code; members are destroyed in reverse order, the object first.
template <class T>
struct PluginObject {
  LoadedPlugin plugin;
  std::unique_ptr<T> object;
};

// Runs a factory, turning anything but a configuration error or a refusal
// into a load error that names the plugin.
template <class T, class Factory, class Setup>
std::unique_ptr<T> call_factory(const LoadedPlugin& plugin, const Setup& setup) {
  try {
    auto object = plugin.factory<Factory>()(setup);
    if (!object) throw PluginLoadError(fmt::format("{}: the factory returned nothing", plugin.info.path));
    return object;
  } catch (const ConfigError&) {
    throw;
  } catch (const PluginRefused&) {
    throw;
  } catch (const PluginLoadError&) {
    throw;
  } catch (const std::exception& error) {
    throw PluginLoadError(fmt::format("{}: plugin '{}' failed to start: {}", plugin.info.path, plugin.info.name,
                                      error.what()));
  } catch (...) {
    throw PluginLoadError(fmt::format("{}: plugin '{}' failed to start with an unknown exception",
                                      plugin.info.path, plugin.info.name));
  }
}

spdlog::level::level_enum parse_level(const std::string& name) { return spdlog::level::from_str(name); }

// An exception thrown by plugin code is an object whose vtable, and so
// what(), is in the plugin's library (plugins are built with hidden
// visibility: each has its own copy of the SDK's exception classes). If it
// escapes run_vm by unwinding past the LoadedPlugin, the library is unloaded
// under it and the CLI's what() jumps into unmapped memory. So every library
// loaded is also kept here, and run_vm replaces any exception with one the
// core made before it lets this go.
class PinningLoader {
 public:
  explicit PinningLoader(const std::vector<std::filesystem::path>& config_paths) : loader_(config_paths) {}

  const PluginLoader& loader() const { return loader_; }
  LoadedPlugin load(const std::string& name_or_path, PluginKind kind) {
    LoadedPlugin plugin = loader_.load(name_or_path, kind);
    pinned_.push_back(plugin);
    return plugin;
  }

 private:
  PluginLoader loader_;
  std::vector<LoadedPlugin> pinned_;
};

PluginObject<Accelerator> choose_accelerator(const RunConfig& config, PinningLoader& loader, Host& host,
                                             spdlog::logger& log) {
  std::vector<std::string> refusals;
  for (const std::string& name : config.accelerators) {
    LoadedPlugin plugin = loader.load(name, PluginKind::accelerator);
    try {
      auto accelerator = call_factory<Accelerator, AcceleratorFactory>(
          plugin, AcceleratorSetup{host, config.accelerator_options(name)});
      log.info("accelerator: {} ({})", plugin.info.name, plugin.info.path);
      return {std::move(plugin), std::move(accelerator)};
    } catch (const PluginRefused& refusal) {
      log.info("accelerator {} refused: {}", name, refusal.what());
      refusals.push_back(fmt::format("{}: {}", name, refusal.what()));
    }
  }
  throw PluginLoadError(fmt::format("no accelerator can run on this host ({})", fmt::join(refusals, "; ")));
}

int exit_status(const RunOutcome& outcome, spdlog::logger& log) {
  switch (outcome.kind) {
    case RunOutcome::Kind::power_off:
      log.info("guest powered off{}{}", outcome.message.empty() ? "" : ": ", outcome.message);
      return kExitPoweredOff;
    case RunOutcome::Kind::guest_panic:
      log.error("guest panicked: {}", outcome.message);
      return kExitGuestFailure;
    case RunOutcome::Kind::failure:
      log.error("run failed: {}", outcome.message);
      return kExitGuestFailure;
  }
  return kExitGuestFailure;
}

// The snapshot must be of the machine the config describes.
void check_snapshot_fits(const SnapshotHeader& header, const RunConfig& config, const std::filesystem::path& file) {
  if (header.machine != config.machine.name || header.memory_bytes != config.spec.memory_bytes ||
      header.cpus != config.spec.cpus) {
    throw SnapshotError(fmt::format("{}: the snapshot is of a {} machine with {} MiB and {} vCPU(s); the config "
                                    "describes a {} machine with {} MiB and {} vCPU(s)",
                                    file, header.machine, header.memory_bytes >> 20, header.cpus, config.machine.name,
                                    config.spec.memory_bytes >> 20, config.spec.cpus));
  }
}

// snapshot-save, with the vCPUs paused (MachineControl).
void save_snapshot(const std::string& path, const RunConfig& config, Machine& machine, const GuestMemory& ram,
                   spdlog::logger& log) {
  const auto start = std::chrono::steady_clock::now();
  StateWriter state;
  machine.save_state(state);
  write_snapshot(path, {config.machine.name, config.spec.memory_bytes, config.spec.cpus, describe(config),
                        state.take()}, ram);
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  log.info("snapshot saved to {} in {:.2f} s ({} bytes)", path, took.count(), std::filesystem::file_size(path));
}

// switch-accelerator: the machine stops the vCPUs and calls back here to
// replace the accelerator between taking their state and loading it. If the
// one asked for cannot run here, the guest goes on on a new instance of the
// one it was on, and the command fails saying why.
void switch_accelerator(const std::string& name, const RunConfig& config, PinningLoader& loader, Host& host,
                        PluginObject<Accelerator>& accelerator, Machine& machine, spdlog::logger& log) {
  const std::string previous_name = accelerator.plugin.info.name;
  auto deterministic = [&](const std::string& accel) {
    return config.accelerator_options(accel).child("deterministic").as_bool(false);
  };
  if (deterministic(previous_name) || deterministic(name)) {
    throw SetupError("a deterministic accelerator cannot be switched to or from");
  }
  LoadedPlugin next = loader.load(name, PluginKind::accelerator);
  LoadedPlugin previous = accelerator.plugin;
  std::string refusal;
  bool next_tried = false;
  // The first call makes the named accelerator; a second one (the machine
  // could not load the state there), or a refusal, the previous kind again.
  machine.switch_accelerator([&]() -> Accelerator& {
    accelerator.object.reset();
    if (!std::exchange(next_tried, true)) {
      try {
        accelerator.object = call_factory<Accelerator, AcceleratorFactory>(
            next, AcceleratorSetup{host, config.accelerator_options(name)});
        accelerator.plugin = next;
        return *accelerator.object;
      } catch (const std::exception& error) {
        refusal = error.what();
      }
    }
    accelerator.object = call_factory<Accelerator, AcceleratorFactory>(
        previous, AcceleratorSetup{host, config.accelerator_options(previous_name)});
    accelerator.plugin = previous;
    return *accelerator.object;
  });
  if (!refusal.empty()) {
    throw SetupError(fmt::format("accelerator {} cannot run here ({}); the guest goes on on {}", name, refusal,
                                 previous_name));
  }
  log.info("accelerator: {} ({}), switched from {}", accelerator.plugin.info.name, accelerator.plugin.info.path,
           previous_name);
}

int bring_up_and_run(const RunConfig& config, Mode mode, PinningLoader& loader,
                     const std::optional<std::filesystem::path>& restore) {
  // Set while the guest runs; the console escape arrives on the I/O thread.
  std::atomic<Machine*> running_machine{nullptr};
  CoreHost host(parse_level(config.log_level), [&running_machine] {
    if (Machine* machine = running_machine.load()) {
      machine->request_shutdown({RunOutcome::Kind::power_off, "console escape (Ctrl-A x)"});
    }
  });
  auto log = host.logger("core");

  log->debug("plugin search path: {}", fmt::join(loader.loader().search_path(), ":"));
  // A snapshot that cannot be restored here runs nothing.
  std::optional<SnapshotFile> snapshot;
  if (restore) {
    snapshot.emplace(*restore);
    check_snapshot_fits(snapshot->header(), config, *restore);
  }
  log->info("memory: {} MiB", config.spec.memory_bytes >> 20);
  host.allocate_guest_memory(config.spec.memory_bytes);

  // Declared in bring-up order, so that they are destroyed in reverse.
  PluginObject<Accelerator> accelerator = choose_accelerator(config, loader, host, *log);

  LoadedPlugin machine_plugin = loader.load(config.machine.name, PluginKind::machine);
  PluginObject<Machine> machine{machine_plugin, call_factory<Machine, MachineFactory>(
                                                    machine_plugin, MachineSetup{host, config.spec,
                                                                                 config.machine.options})};
  log->info("machine: {} ({})", machine.plugin.info.name, machine.plugin.info.path);

  std::vector<PluginObject<Device>> devices;
  std::vector<VmControl::DeviceInfo> device_infos;
  for (const PluginChoice& choice : config.devices) {
    LoadedPlugin plugin = loader.load(choice.name, PluginKind::device);
    auto device = call_factory<Device, DeviceFactory>(plugin, DeviceSetup{host, choice.options});
    log->info("device: {} ({})", plugin.info.name, plugin.info.path);
    device_infos.push_back({plugin.info.name, plugin.info.path.string()});
    devices.push_back({std::move(plugin), std::move(device)});
  }

  std::optional<PluginObject<Debugger>> debugger;
  if (config.debugger) {
    LoadedPlugin plugin = loader.load(config.debugger->name, PluginKind::debugger);
    auto object = call_factory<Debugger, DebuggerFactory>(plugin, DebuggerSetup{host, config.debugger->options});
    log->info("debugger: {} ({})", plugin.info.name, plugin.info.path);
    debugger.emplace(PluginObject<Debugger>{std::move(plugin), std::move(object)});
  }

  if (mode == Mode::check) return kExitPoweredOff;

  machine.object->build(*accelerator.object);
  for (auto& device : devices) device.object->realize(machine.object->device_context());
  if (snapshot) {
    const auto start = std::chrono::steady_clock::now();
    snapshot->load_ram(host.guest_memory());
    try {
      StateReader state(snapshot->header().machine_state);
      machine.object->restore_state(state);
    } catch (const StateError& error) {
      throw SnapshotError(fmt::format("{}: {}", *restore, error.what()));
    }
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    log->info("restored {} in {:.2f} s", *restore, took.count());
    snapshot.reset();
  }
  // The console is served before the guest starts or the debugger holds it.
  host.start_io();
  if (debugger) debugger->object->attach(machine.object->debug_target());
  std::optional<ControlServer> control_server;
  std::optional<MachineControl> control;
  if (config.control_socket) {
    control.emplace(
        *machine.object, std::move(device_infos),
        [&control_server](std::string line) {
          if (control_server) control_server->broadcast(std::move(line));
        },
        [&](const std::string& path) { save_snapshot(path, config, *machine.object, host.guest_memory(), *log); },
        [&](const std::string& name) {
          switch_accelerator(name, config, loader, host, accelerator, *machine.object, *log);
        });
    control_server.emplace(host.io_context(), *config.control_socket, *control, host.logger("control"));
  }

  boost::asio::signal_set signals(host.io_context(), SIGINT, SIGTERM);
  signals.async_wait([&machine](const boost::system::error_code& error, int signal_number) {
    if (error) return;
    machine.object->request_shutdown(
        {RunOutcome::Kind::failure, fmt::format("stopped by signal {}", strsignal(signal_number))});
  });
  running_machine.store(machine.object.get());
  const RunOutcome outcome = machine.object->run();
  running_machine.store(nullptr);
  if (control_server) {
    control->shutdown(outcome);
    control_server->close();
  }
  // The I/O thread must end before the objects its handlers use.
  host.stop_io();
  return exit_status(outcome, *log);
}

}  // namespace

int run_vm(const RunConfig& config, Mode mode, const std::optional<std::filesystem::path>& restore) {
  PinningLoader loader(config.plugin_paths);
  // Each handler copies the message into an exception of the same SDK type
  // made by the core, while the plugin that threw is still loaded.
  try {
    return bring_up_and_run(config, mode, loader, restore);
  } catch (const SnapshotError& error) {
    throw SnapshotError(error.what());
  } catch (const StateError& error) {
    throw SnapshotError(error.what());
  } catch (const ConfigError& error) {
    throw ConfigError(error.what());
  } catch (const PluginRefused& error) {
    throw PluginRefused(error.what());
  } catch (const SetupError& error) {
    throw SetupError(error.what());
  } catch (const PluginLoadError& error) {
    throw PluginLoadError(error.what());
  } catch (const std::exception& error) {
    throw std::runtime_error(error.what());
  }
}

}  // namespace mosaic::core
