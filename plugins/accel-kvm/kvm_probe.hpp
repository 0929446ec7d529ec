// Decides whether this host can run a KVM-HV pseries guest, and if not,
// exactly why: the first missing piece is named so a user can fix it.
#pragma once

#include <string>
#include <vector>

#include "file_descriptor.hpp"

namespace mosaic::kvm {

struct KvmCapability {
  const char* name;
  int number;
};

struct KvmProbeResult {
  bool usable = false;
  std::string reason;                 // why not, when !usable
  std::vector<std::string> optional;  // optional capabilities found (for the log)
  // When usable: the open device and the KVM-HV VM the probe created, for
  // the accelerator to use rather than open and create again.
  FileDescriptor system;
  FileDescriptor vm;
};

// Capabilities without which the pseries machine cannot run under KVM-HV:
// PAPR mode for vCPUs, an HPT allocated and accessed through the htab fd,
// the MMU geometry for the device tree, and ONE_REG for SPRs.
const std::vector<KvmCapability>& required_capabilities();

// Opens `device_path` (normally /dev/kvm), checks the API version and the
// required capabilities, and tries to create a KVM-HV VM.
KvmProbeResult probe_kvm_hv(const std::string& device_path);

}  // namespace mosaic::kvm
