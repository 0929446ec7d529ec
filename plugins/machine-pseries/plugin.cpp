// The pseries machine plugin.
#include "mosaic/plugin.hpp"
#include "pseries_machine.hpp"

namespace {

std::unique_ptr<mosaic::Machine> create_pseries(const mosaic::MachineSetup& setup) {
  return std::make_unique<mosaic::pseries::PseriesMachine>(setup.host, setup.spec,
                                                           mosaic::pseries::parse_pseries_options(setup.options));
}

}  // namespace

MOSAIC_PLUGIN(machine, "pseries", "0.1.0", "IBM pSeries (PAPR) machine: device tree, RTAS, hypercalls, XICS, vty",
              create_pseries)
