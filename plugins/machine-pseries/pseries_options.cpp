// The pseries machine's options, validated with the config's locations.
#include <fmt/format.h>

#include "pseries_machine.hpp"

namespace mosaic::pseries {

namespace {

// Linux on powerpc copies /chosen/bootargs into a buffer of
// COMMAND_LINE_SIZE (2048) bytes, the NUL included
// (arch/powerpc/include/uapi/asm/setup.h), and cuts off the rest unseen.
constexpr std::size_t kCommandLineBytes = 2048;

}  // namespace

PseriesOptions parse_pseries_options(const OptionNode& options) {
  options.expect_keys({"type", "memory", "cpus", "kernel", "initrd", "cmdline", "dump-dtb", "hpt-order",
                       "hpt-max-page-size", "hpt-mixed-page-sizes", "on-reboot", "rtc"});
  if (const OptionNode cmdline = options.child("cmdline"); cmdline.defined()) {
    const std::string text = cmdline.as_string();
    if (text.size() >= kCommandLineBytes) {
      cmdline.fail(fmt::format("{} bytes: a powerpc Linux kernel takes at most {} bytes of command line", text.size(),
                               kCommandLineBytes - 1));
    }
  }
  PseriesOptions pseries;
  if (options.child("dump-dtb").defined()) pseries.dump_dtb = options.child("dump-dtb").as_path();
  // PAPR bounds the HPT between 256 KiB and 64 TiB.
  using Table = ppc::HashPageTable;
  pseries.hpt_order = static_cast<unsigned>(options.child("hpt-order").as_uint(Table::kMinOrder, Table::kMaxOrder, 0));
  // A page size of the HPT: 4K, 64K, 16M or 16G.
  if (const OptionNode max_page = options.child("hpt-max-page-size"); max_page.defined()) {
    const std::uint64_t bytes = max_page.as_size(std::uint64_t{1} << 12, std::uint64_t{1} << 34);
    if ((bytes & (bytes - 1)) != 0) max_page.fail(fmt::format("{} bytes is not a power of two", bytes));
    pseries.hpt_max_page_shift = static_cast<unsigned>(__builtin_ctzll(bytes));
  }
  pseries.hpt_mixed_page_sizes = options.child("hpt-mixed-page-sizes").as_bool(true);
  // restart, as a PC or QEMU does; exit suits runs that should end there.
  if (options.child("on-reboot").defined() && options.child("on-reboot").as_choice({"restart", "exit"}) == "exit") {
    pseries.on_reboot = OnReboot::exit;
  }
  // rtc: {base: utc | localtime | "YYYY-MM-DDTHH:MM:SS"}, as QEMU's -rtc base=.
  const OptionNode rtc = options.child("rtc");
  rtc.expect_keys({"base"});
  if (rtc.child("base").defined() && !parse_rtc_base(rtc.child("base").as_string(), pseries.rtc)) {
    rtc.child("base").fail(fmt::format("'{}' is not utc, localtime or a date like 2006-06-17T00:00:00",
                                       rtc.child("base").as_string()));
  }
  return pseries;
}

}  // namespace mosaic::pseries
