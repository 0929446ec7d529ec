// Config space through RTAS (PAPR 7.3.4): read-pci-config and
// write-pci-config name a function by its configuration address on the
// first PHB; the ibm, forms add the PHB's BUID. Linux uses the ibm, forms
// when firmware has them. A function that is not there, a size other than
// 1, 2 or 4, a misaligned register or one past config space gets status -1
// (hardware error), as QEMU's spapr_pci answers.
#include "phb.hpp"

namespace mosaic::pseries {

namespace {

std::uint32_t status_word(std::int32_t status) { return static_cast<std::uint32_t>(status); }

bool counts(RtasCall& call, std::size_t args, std::size_t rets) {
  if (call.args.size() == args && call.rets.size() == rets) return true;
  call.rets[0] = status_word(rtas_status::kParameterError);
  return false;
}

bool our_buid(const RtasCall& call) {
  return (std::uint64_t{call.args[1]} << 32 | call.args[2]) == PhbLayout::kBuid;
}

}  // namespace

void Phb::register_rtas_functions(Rtas& rtas) {
  auto read = [this](RtasCall& call, std::uint32_t address, std::uint32_t size) {
    const auto value = config_read(address, size);
    call.rets[0] = status_word(value ? rtas_status::kSuccess : rtas_status::kHardwareError);
    call.rets[1] = value.value_or(0xffffffff);
  };
  auto write = [this](RtasCall& call, std::uint32_t address, std::uint32_t size, std::uint32_t value) {
    call.rets[0] = status_word(config_write(address, size, value) ? rtas_status::kSuccess : rtas_status::kHardwareError);
  };
  rtas.add("read-pci-config", [read](RtasCall& call) {
    if (counts(call, 2, 2)) read(call, call.args[0], call.args[1]);
  });
  rtas.add("write-pci-config", [write](RtasCall& call) {
    if (counts(call, 3, 1)) write(call, call.args[0], call.args[1], call.args[2]);
  });
  rtas.add("ibm,read-pci-config", [read](RtasCall& call) {
    if (!counts(call, 4, 2)) return;
    if (our_buid(call)) {
      read(call, call.args[0], call.args[3]);
    } else {
      call.rets[0] = status_word(rtas_status::kParameterError);
      call.rets[1] = 0xffffffff;
    }
  });
  rtas.add("ibm,write-pci-config", [write](RtasCall& call) {
    if (!counts(call, 5, 1)) return;
    if (our_buid(call)) write(call, call.args[0], call.args[3], call.args[4]);
    else call.rets[0] = status_word(rtas_status::kParameterError);
  });
}

}  // namespace mosaic::pseries
