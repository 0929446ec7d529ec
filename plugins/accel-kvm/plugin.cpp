// The KVM-HV accelerator plugin. It probes the host first, so that a config
// listing `accel: [kvm, interp]` falls back with the precise reason.
#include <fmt/format.h>

#include "kvm_probe.hpp"
#include "mosaic/plugin.hpp"

namespace {

std::unique_ptr<mosaic::Accelerator> create_kvm_accelerator(const mosaic::AcceleratorSetup& setup) {
  setup.options.expect_keys({"device"});
  const std::string device_path = setup.options.child("device").as_string("/dev/kvm");
  const auto probe = mosaic::kvm::probe_kvm_hv(device_path);
  if (!probe.usable) throw mosaic::PluginRefused(probe.reason);
  // The host has everything KVM-HV needs; running vCPUs on it is the
  // accel-kvm issue's work, so refuse rather than pretend.
  throw mosaic::PluginRefused(fmt::format(
      "{} offers KVM-HV, but this build of the kvm plugin cannot run vCPUs yet", device_path));
}

}  // namespace

MOSAIC_PLUGIN(accelerator, "kvm", "0.1.0", "KVM-HV accelerator for POWER hosts (probes /dev/kvm)",
              create_kvm_accelerator)
