// Runs a fuzz target without libFuzzer (the GCC builds): every file of the
// seed corpus, then a bounded number of random inputs, each pure noise or a
// mutation of a seed or of an earlier input, from a fixed seed so that a
// failure reproduces.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

int main(int argc, char** argv) {
  const long iterations = argc > 1 ? std::atol(argv[1]) : 100000;
  std::vector<std::vector<std::uint8_t>> seeds;
  if (argc > 2) {
    for (const auto& entry : std::filesystem::directory_iterator(argv[2])) {
      std::ifstream file(entry.path(), std::ios::binary);
      seeds.emplace_back(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
      LLVMFuzzerTestOneInput(seeds.back().data(), seeds.back().size());
    }
  }
  std::mt19937_64 random(0x6d6f73616963);  // fixed seed: reproducible runs
  std::vector<std::uint8_t> input;
  for (long i = 0; i < iterations; ++i) {
    if (i % 4 == 0 || input.empty()) {
      if (!seeds.empty() && random() % 2 == 0) {
        input = seeds[random() % seeds.size()];
      } else {
        input.resize(random() % 512);
        for (auto& byte : input) byte = static_cast<std::uint8_t>(random());
      }
    }
    if (!input.empty()) {
      const auto flips = 1 + random() % 4;
      for (unsigned f = 0; f < flips; ++f) input[random() % input.size()] ^= static_cast<std::uint8_t>(1u << (random() % 8));
      if (random() % 8 == 0) input.resize(random() % (input.size() + 64));
    }
    LLVMFuzzerTestOneInput(input.data(), input.size());
  }
  std::printf("%zu seeds and %ld inputs, no crash\n", seeds.size(), iterations);
  return 0;
}
