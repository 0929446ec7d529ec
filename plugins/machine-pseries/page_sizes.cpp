#include "page_sizes.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace mosaic::pseries {

std::vector<ppc::SegmentPageSizes> limit_page_sizes(const std::vector<ppc::SegmentPageSizes>& offered,
                                                    unsigned max_shift, bool mixed) {
  std::vector<ppc::SegmentPageSizes> kept;
  for (const ppc::SegmentPageSizes& segment : offered) {
    if (segment.base_shift > max_shift) continue;
    ppc::SegmentPageSizes limited{segment.base_shift, segment.slb_encoding, {}};
    std::ranges::copy_if(segment.page_sizes, std::back_inserter(limited.page_sizes),
                         [&](const ppc::PageSize& page) {
                           return page.shift <= max_shift && (mixed || page.shift == segment.base_shift);
                         });
    kept.push_back(std::move(limited));
  }
  return kept;
}

std::string missing_page_size(const std::vector<ppc::SegmentPageSizes>& told,
                              const std::vector<ppc::SegmentPageSizes>& offered) {
  for (const ppc::SegmentPageSizes& segment : told) {
    const auto same_segment = std::ranges::find_if(offered, [&](const ppc::SegmentPageSizes& candidate) {
      return candidate.base_shift == segment.base_shift && candidate.slb_encoding == segment.slb_encoding;
    });
    if (same_segment == offered.end()) {
      return fmt::format("segments of {} KiB base pages", (std::uint64_t{1} << segment.base_shift) >> 10);
    }
    for (const ppc::PageSize& page : segment.page_sizes) {
      const bool served = std::ranges::any_of(same_segment->page_sizes, [&](const ppc::PageSize& candidate) {
        return candidate.shift == page.shift && candidate.pte_encoding == page.pte_encoding;
      });
      if (!served) {
        return fmt::format("{} KiB pages in segments of {} KiB base pages", (std::uint64_t{1} << page.shift) >> 10,
                           (std::uint64_t{1} << segment.base_shift) >> 10);
      }
    }
  }
  return {};
}

}  // namespace mosaic::pseries
