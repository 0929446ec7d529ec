// Runs a fuzz target without libFuzzer: a bounded number of random inputs,
// each either pure noise or a mutation of an earlier one, from a fixed seed
// so that a failure reproduces.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

int main(int argc, char** argv) {
  const long iterations = argc > 1 ? std::atol(argv[1]) : 100000;
  std::mt19937_64 random(0x6d6f73616963);  // fixed seed: reproducible runs
  std::vector<std::uint8_t> input;
  for (long i = 0; i < iterations; ++i) {
    if (i % 4 == 0 || input.empty()) {
      input.resize(random() % 512);
      for (auto& byte : input) byte = static_cast<std::uint8_t>(random());
    } else {
      const auto flips = 1 + random() % 4;
      for (unsigned f = 0; f < flips; ++f) input[random() % input.size()] ^= static_cast<std::uint8_t>(1u << (random() % 8));
      if (random() % 8 == 0) input.resize(random() % (input.size() + 64));
    }
    LLVMFuzzerTestOneInput(input.data(), input.size());
  }
  std::printf("%ld inputs, no crash\n", iterations);
  return 0;
}
