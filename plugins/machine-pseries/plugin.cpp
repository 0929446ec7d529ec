// The pseries machine plugin.
#include "mosaic/plugin.hpp"
#include "pseries_machine.hpp"

namespace {

std::unique_ptr<mosaic::Machine> create_pseries(const mosaic::MachineSetup& setup) {
  const auto& options = setup.options;
  options.expect_keys({"type", "memory", "cpus", "kernel", "initrd", "cmdline", "dump-dtb", "hpt-order",
                       "on-reboot", "rtc"});
  mosaic::pseries::PseriesOptions pseries;
  if (options.child("dump-dtb").defined()) pseries.dump_dtb = options.child("dump-dtb").as_path();
  // PAPR bounds the HPT between 256 KiB and 64 TiB.
  using Table = mosaic::ppc::HashPageTable;
  pseries.hpt_order = static_cast<unsigned>(options.child("hpt-order").as_uint(Table::kMinOrder, Table::kMaxOrder, 0));
  // restart, as a PC or QEMU does; exit suits runs that should end there.
  if (options.child("on-reboot").defined() && options.child("on-reboot").as_choice({"restart", "exit"}) == "exit") {
    pseries.on_reboot = mosaic::pseries::OnReboot::exit;
  }
  // rtc: {base: utc | localtime | "YYYY-MM-DDTHH:MM:SS"}, as QEMU's -rtc base=.
  const auto rtc = options.child("rtc");
  rtc.expect_keys({"base"});
  if (rtc.child("base").defined() &&
      !mosaic::pseries::parse_rtc_base(rtc.child("base").as_string(), pseries.rtc)) {
    rtc.child("base").fail(fmt::format("'{}' is not utc, localtime or a date like 2006-06-17T00:00:00",
                                       rtc.child("base").as_string()));
  }
  return std::make_unique<mosaic::pseries::PseriesMachine>(setup.host, setup.spec, pseries);
}

}  // namespace

MOSAIC_PLUGIN(machine, "pseries", "0.1.0", "IBM pSeries (PAPR) machine: device tree, RTAS, hypercalls, XICS, vty",
              create_pseries)
