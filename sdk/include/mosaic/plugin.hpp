// What a plugin includes: the interfaces, what each factory receives, and the
// MOSAIC_PLUGIN export macro.
#pragma once

#include <memory>

#include "mosaic/accelerator.hpp"
#include "mosaic/debugger.hpp"
#include "mosaic/device.hpp"
#include "mosaic/errors.hpp"
#include "mosaic/host.hpp"
#include "mosaic/machine.hpp"
#include "mosaic/options.hpp"
#include "mosaic/plugin_abi.hpp"

namespace mosaic {

// Factories validate their options and throw ConfigError; they must not
// change the guest (the core also calls them for `mosaic check`).
struct AcceleratorSetup {
  Host& host;
  OptionNode options;
};
struct MachineSetup {
  Host& host;
  MachineSpec spec;
  OptionNode options;  // the machine's own keys (the spec's keys are consumed)
};
struct DebuggerSetup {
  Host& host;
  OptionNode options;
};
struct DeviceSetup {
  Host& host;
  OptionNode options;
};

// An accelerator that cannot work on this host throws PluginRefused.
using AcceleratorFactory = std::unique_ptr<Accelerator>(const AcceleratorSetup&);
using MachineFactory = std::unique_ptr<Machine>(const MachineSetup&);
using DebuggerFactory = std::unique_ptr<Debugger>(const DebuggerSetup&);
using DeviceFactory = std::unique_ptr<Device>(const DeviceSetup&);

}  // namespace mosaic
