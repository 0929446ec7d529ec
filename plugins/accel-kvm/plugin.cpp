// The KVM-HV accelerator plugin. It probes the host first, so that a config
// listing `accel: [kvm, interp]` falls back with the precise reason.
#include <fmt/format.h>

#include "kvm_probe.hpp"
#include "mosaic/plugin.hpp"
#ifdef MOSAIC_KVM_PPC64
#include "kvm_accelerator.hpp"
#endif

namespace {

std::unique_ptr<mosaic::Accelerator> create_kvm_accelerator(const mosaic::AcceleratorSetup& setup) {
  setup.options.expect_keys({"device"});
  const std::string device_path = setup.options.child("device").as_string("/dev/kvm");
#ifdef MOSAIC_KVM_PPC64
  return mosaic::kvm::create_kvm_accelerator(device_path, setup.host.guest_memory(), setup.host.logger("kvm"));
#else
  const auto probe = mosaic::kvm::probe_kvm_hv(device_path);
  if (!probe.usable) throw mosaic::PluginRefused(probe.reason);
  // Only reachable on a non-POWER host whose /dev/kvm claims every ppc
  // capability: the register layout of <asm/kvm.h> is not this host's.
  throw mosaic::PluginRefused(fmt::format("{} offers KVM-HV, but this kvm plugin was built for a non-POWER host",
                                          device_path));
#endif
}

}  // namespace

MOSAIC_PLUGIN(accelerator, "kvm", "0.2.0", "KVM-HV accelerator for POWER hosts (probes /dev/kvm)",
              create_kvm_accelerator)
