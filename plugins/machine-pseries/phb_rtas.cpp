// Config space through RTAS (PAPR 7.3.4): read-pci-config and
// write-pci-config name a function by its configuration address on the
// first PHB; the ibm, forms add the PHB's BUID. Linux uses the ibm, forms
// when firmware has them. A function that is not there, a size other than
// 1, 2 or 4, a misaligned register or one past config space gets status -1
// (hardware error), as QEMU's spapr_pci answers.
//
// MSI-X (LoPAPR 7.3.10.5): ibm,change-msi and
// ibm,query-interrupt-source-number, as Linux's pseries msi.c calls them.
// The functions have no MSI capability, so the MSI forms of change-msi can
// only release vectors (count 0), which is how Linux disables "MSI or
// MSI-X" at boot; asking them for vectors is a parameter error.
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

// ibm,change-msi's function argument.
namespace change_msi {
constexpr std::uint32_t kQuery = 0;
constexpr std::uint32_t kChange = 1;  // MSI, the old interface
constexpr std::uint32_t kReset = 2;
constexpr std::uint32_t kChangeMsi = 3;
constexpr std::uint32_t kChangeMsix = 4;
constexpr std::uint32_t kChange32BitMsi = 5;
constexpr std::uint32_t kTypeMsix = 2;  // the fourth return of functions 3 to 5
}  // namespace change_msi

constexpr std::uint32_t kEdgeTriggered = 1;  // ibm,query-interrupt-source-number's interrupt type

// ibm,change-msi: the count of vectors the function holds afterwards, or
// nullopt for a parameter error.
std::optional<unsigned> apply_change_msi(Phb& phb, std::uint32_t config_address, std::uint32_t function,
                                         std::uint32_t requested) {
  switch (function) {
    case change_msi::kQuery: return phb.msix_granted(config_address);
    case change_msi::kReset: return phb.change_msix(config_address, 0);
    case change_msi::kChangeMsix: return phb.change_msix(config_address, requested);
    case change_msi::kChange:
    case change_msi::kChangeMsi:
    case change_msi::kChange32BitMsi:
      if (requested == 0) return phb.change_msix(config_address, 0);
      return std::nullopt;
    default: return std::nullopt;
  }
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
  // Arguments: config address, BUID high and low, function, count asked
  // for, sequence number. Returns: status, count granted, the next
  // sequence number (the call always completes at once) and, for the
  // explicit MSI and MSI-X functions, the type of interrupt.
  rtas.add("ibm,change-msi", [this](RtasCall& call) {
    if (call.args.size() != 6 || (call.rets.size() != 3 && call.rets.size() != 4)) {
      call.rets[0] = status_word(rtas_status::kParameterError);
      return;
    }
    const auto granted = our_buid(call) ? apply_change_msi(*this, call.args[0], call.args[3], call.args[4]) : std::nullopt;
    call.rets[0] = status_word(granted ? rtas_status::kSuccess : rtas_status::kParameterError);
    call.rets[1] = granted.value_or(0);
    call.rets[2] = call.args[5] + 1;
    if (call.rets.size() == 4) call.rets[3] = change_msi::kTypeMsix;
  });
  // Arguments: config address, BUID high and low, vector. Returns: status,
  // the XICS source, and its trigger (MSI-X messages are edges).
  rtas.add("ibm,query-interrupt-source-number", [this](RtasCall& call) {
    if (!counts(call, 4, 3)) return;
    const auto source = our_buid(call) ? msix_source(call.args[0], call.args[3]) : std::nullopt;
    call.rets[0] = status_word(source ? rtas_status::kSuccess : rtas_status::kParameterError);
    call.rets[1] = source.value_or(0);
    call.rets[2] = kEdgeTriggered;
  });
}

}  // namespace mosaic::pseries
