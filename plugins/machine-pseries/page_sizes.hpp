// The page sizes the guest is told of (ibm,segment-page-sizes) and may use
// in H_ENTER. They are chosen once, at build, from the accelerator's; an
// accelerator switched to later must serve every one of them, since the
// guest's HPT already holds such entries. `hpt-max-page-size` (QEMU's
// cap-hpt-max-page-size) leaves out larger ones and `hpt-mixed-page-sizes:
// false` the pages larger than their segment's base size (POWER8's MPSS),
// so that a guest started on the interpreter (POWER8: 4 KiB segments with
// 4 KiB, 64 KiB and 16 MiB pages, 64 KiB segments with 64 KiB and 16 MiB,
// 16 MiB segments) can move to a KVM-HV host whose RAM has 64 KiB pages:
// KVM offers mixed sizes only with 16 MiB pages, which such a host cannot
// back, so it serves 4 KiB and 64 KiB pages, each in its own segment.
#pragma once

#include <string>
#include <vector>

#include "mosaic/ppc.hpp"

namespace mosaic::pseries {

// `offered` without the segment and page sizes above 2^max_shift, and
// without mixed sizes unless `mixed`.
std::vector<ppc::SegmentPageSizes> limit_page_sizes(const std::vector<ppc::SegmentPageSizes>& offered,
                                                    unsigned max_shift, bool mixed);

// Empty when `offered` has every segment and page size of `told`, with the
// same encodings; otherwise names the first one missing.
std::string missing_page_size(const std::vector<ppc::SegmentPageSizes>& told,
                              const std::vector<ppc::SegmentPageSizes>& offered);

}  // namespace mosaic::pseries
