// The KVM-HV accelerator: a VM with the guest's RAM as one memory slot, its
// HPT in the kernel, and vCPUs in PAPR mode. Only built for ppc64.
#pragma once

#include <memory>
#include <string>

#include <spdlog/logger.h>

#include "mosaic/accelerator.hpp"
#include "mosaic/guest_memory.hpp"

namespace mosaic::kvm {

// Probes `device_path` and sets up the VM in what the probe opened; throws
// PluginRefused when the host cannot run it, naming the step that failed.
std::unique_ptr<Accelerator> create_kvm_accelerator(const std::string& device_path, GuestMemory& memory,
                                                    std::shared_ptr<spdlog::logger> log);

}  // namespace mosaic::kvm
