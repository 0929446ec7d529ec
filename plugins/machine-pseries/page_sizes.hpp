// The page sizes the guest is told of (ibm,segment-page-sizes) and may use
// in H_ENTER. They are chosen once, at build, from the accelerator's; an
// accelerator switched to later must serve every one of them, since the
// guest's HPT already holds such entries. `hpt-max-page-size` (QEMU's
// cap-hpt-max-page-size) leaves out larger ones, so that a guest started on
// the interpreter (POWER8's 4 KiB, 64 KiB and 16 MiB) can move to a KVM-HV
// host whose RAM is backed by 64 KiB pages.
#pragma once

#include <string>
#include <vector>

#include "mosaic/ppc.hpp"

namespace mosaic::pseries {

// `offered` without the segment and page sizes above 2^max_shift.
std::vector<ppc::SegmentPageSizes> limit_page_sizes(const std::vector<ppc::SegmentPageSizes>& offered,
                                                    unsigned max_shift);

// Empty when `offered` has every segment and page size of `told`, with the
// same encodings; otherwise names the first one missing.
std::string missing_page_size(const std::vector<ppc::SegmentPageSizes>& told,
                              const std::vector<ppc::SegmentPageSizes>& offered);

}  // namespace mosaic::pseries
