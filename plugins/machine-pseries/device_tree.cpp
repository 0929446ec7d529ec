// The device tree a PAPR guest boots with, in the shape Linux's pseries
// platform code reads (LoPAPR appendix C; QEMU's spapr gives the same).
#include <fmt/format.h>

#include "fdt_builder.hpp"
#include "pseries_machine.hpp"

namespace mosaic::pseries {

namespace {

constexpr std::uint32_t kTimebaseHz = 512'000'000;
constexpr std::uint32_t kCpuHz = 3'425'000'000u;
constexpr std::uint32_t kCacheLine = 128;
// The interrupt controller's phandle, which the PHB's interrupt-map names.
constexpr std::uint32_t kXicsPhandle = 1;

using P = DeviceTreeProperty;

// ibm,pa-features for POWER8 (LoPAPR B.6.1.1): a 24-byte attribute list.
// Transactional memory (byte 22, bit 0) is not offered.
P power8_pa_features() {
  return bytes_property("ibm,pa-features", {0x18, 0x00, 0xf6, 0x3f, 0xc7, 0xc0, 0x80, 0xf0, 0x80, 0x00, 0x00, 0x00, 0x00,
                                            0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00,
                                            0x00});
}

// ibm,segment-page-sizes: per segment base size, its SLB encoding and the
// actual page sizes with their HPTE encodings.
P segment_page_sizes(const std::vector<ppc::SegmentPageSizes>& sizes) {
  std::vector<std::uint32_t> cells;
  for (const auto& segment : sizes) {
    cells.push_back(segment.base_shift);
    cells.push_back(segment.slb_encoding);
    cells.push_back(static_cast<std::uint32_t>(segment.page_sizes.size()));
    for (const auto& page : segment.page_sizes) {
      cells.push_back(page.shift);
      cells.push_back(page.pte_encoding);
    }
  }
  return cell_vector_property("ibm,segment-page-sizes", cells);
}

}  // namespace

std::vector<std::byte> PseriesMachine::build_device_tree() {
  FdtBuilder tree;
  const std::string stdout_path = fmt::format("/vdevice/vty@{:x}", vty_->unit_address());
  tree.add({"/",
            {P::cells("#address-cells", {2}), P::cells("#size-cells", {2}), P::string("device_type", "chrp"),
             P::string("model", "IBM pSeries (emulated by Mosaic)"),
             // "qemu,pseries" is what userspace (lscpu, systemd-detect-virt,
             // lshw) matches for a paravirtualised pseries guest; Linux's
             // pseries probe needs only device_type "chrp". "IBM,pSeries"
             // stays for software that looks for PowerVM's name.
             string_list_property("compatible", {"qemu,pseries", "IBM,pSeries"})}});
  // Under KVM-HV, as QEMU does: Linux's is_kvm_guest() and
  // systemd-detect-virt look for this node. No hcall-instructions: those
  // are the KVM-PR (ePAPR) paravirtual calls, which an HV guest does not use.
  if (caps_.hpt_in_kernel) tree.add({"/hypervisor", {P::string("compatible", "linux,kvm")}});

  std::vector<P> chosen{P::string("bootargs", spec_.cmdline), P::string("linux,stdout-path", stdout_path),
                        P::string("stdout-path", stdout_path)};
  if (layout_.initrd_end > layout_.initrd_start) {
    chosen.push_back(u64_cells_property("linux,initrd-start", {layout_.initrd_start}));
    chosen.push_back(u64_cells_property("linux,initrd-end", {layout_.initrd_end}));
  }
  // Linux keeps the BARs where Phb::assign_resources put them.
  if (phb_->function_count() > 0) chosen.push_back(P::cells("linux,pci-probe-only", {1}));
  tree.add({"/chosen", chosen});

  tree.add({"/memory@0", {P::string("device_type", "memory"), u64_cells_property("reg", {0, spec_.memory_bytes})}});

  tree.add({"/cpus", {P::cells("#address-cells", {1}), P::cells("#size-cells", {0})}});
  const unsigned hpt_order = accelerator_->hash_page_table().order();
  for (std::uint32_t i = 0; i < vcpus_.size(); ++i) {
    tree.add({fmt::format("/cpus/PowerPC,POWER8@{:x}", i),
              {P::string("device_type", "cpu"), P::cells("reg", {i}), P::cells("ibm,ppc-interrupt-server#s", {i}),
               P::cells("ibm,ppc-interrupt-gserver#s", {i, 0}), P::cells("ibm,chip-id", {0}), power8_pa_features(),
               P::cells("cpu-version", {caps_.pvr}), P::cells("clock-frequency", {kCpuHz}),
               P::cells("timebase-frequency", {kTimebaseHz}), P::cells("d-cache-block-size", {kCacheLine}),
               P::cells("d-cache-line-size", {kCacheLine}), P::cells("i-cache-block-size", {kCacheLine}),
               P::cells("i-cache-line-size", {kCacheLine}), P::cells("d-cache-size", {0x10000}),
               P::cells("i-cache-size", {0x8000}), P::cells("ibm,pft-size", {0, hpt_order}),
               P::cells("ibm,slb-size", {32}), segment_page_sizes(page_sizes_),
               P::cells("ibm,processor-segment-sizes", {28, 40, 0xffffffff, 0xffffffff}),
               P::cells("ibm,vmx", {2}), P::cells("ibm,dfp", {1}), P::empty("64-bit"),
               P::string("status", "okay")}});
  }

  tree.add(rtas_->device_tree_node(
      layout_.rtas_base,
      {string_list_property("ibm,hypertas-functions", {"hcall-pft", "hcall-bulk", "hcall-term", "hcall-dabr",
                                                       "hcall-interrupt", "hcall-splpar", "hcall-set-mode",
                                                       "hcall-debug", "hcall-tce", "hcall-multi-tce"}),
       // os-term returns to the OS (the run then ends), so Linux calls it
       // on panic; rtas-error-log-max sizes Linux's error log buffer.
       P::empty("ibm,extended-os-term"), P::cells("rtas-error-log-max", {2048}),
       P::cells("rtas-event-scan-rate", {1})}));

  tree.add({"/interrupt-controller",
            {P::string("device_type", "PowerPC-External-Interrupt-Presentation"),
             P::string("compatible", "IBM,ppc-xicp"), P::empty("interrupt-controller"),
             P::cells("#interrupt-cells", {2}), P::cells("phandle", {kXicsPhandle}),
             P::cells("linux,phandle", {kXicsPhandle}),
             P::cells("ibm,interrupt-server-ranges", {0, static_cast<std::uint32_t>(vcpus_.size())})}});

  tree.add({"/vdevice",
            {P::string("device_type", "vdevice"), P::string("compatible", "IBM,vdevice"),
             P::cells("#address-cells", {1}), P::cells("#size-cells", {0}), P::cells("#interrupt-cells", {2}),
             P::empty("interrupt-controller")}});
  tree.add(vty_->device_tree_node(vty_interrupt_));

  for (DeviceTreeNode& node : epow_->device_tree_nodes()) tree.add(std::move(node));
  // The PHB only when a device sits on it: a guest without one boots as before.
  if (phb_->function_count() > 0) {
    for (const DeviceTreeNode& node : phb_->device_tree_nodes(kXicsPhandle)) tree.add(node);
  }
  for (const DeviceTreeNode& node : device_nodes_) tree.add(node);
  tree.reserve(layout_.rtas_base, Rtas::kReservedSize);
  return tree.finish();
}

}  // namespace mosaic::pseries
