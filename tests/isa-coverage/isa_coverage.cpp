// Walks an opcode table (isa-2.07b-opcodes.txt) through the interpreter's
// real decoder and lists the mnemonics whose encoding decodes to the
// illegal-instruction handler, i.e. what the interpreter lacks.
//   interp_isa_coverage TABLE [--all]
// Without --all only Books I and II are listed; with it, Book III and the
// table's non-ISA rows too. Exit status 0 either way: the list is a report.
#include <cstdint>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "decoder.hpp"
#include "insn_groups.hpp"

namespace {

struct Row {
  std::string mnemonic;
  std::string book;
  unsigned primary = 0;
  std::string extended;
  std::uint32_t word = 0;
};

std::vector<Row> read_table(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::vector<Row> rows;
  std::string line;
  unsigned number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    Row row;
    std::string word;
    if (!(fields >> row.mnemonic >> row.book >> row.primary >> row.extended >> word)) {
      throw std::runtime_error(path + ":" + std::to_string(number) + ": expected 5 fields");
    }
    row.word = static_cast<std::uint32_t>(std::stoul(word, nullptr, 16));
    if (row.word >> 26 != row.primary) {
      throw std::runtime_error(path + ":" + std::to_string(number) + ": the word's primary opcode is not " +
                               std::to_string(row.primary));
    }
    rows.push_back(row);
  }
  return rows;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: interp_isa_coverage TABLE [--all]\n";
    return 2;
  }
  const bool all = argc > 2 && std::string(argv[2]) == "--all";
  try {
    const std::vector<Row> rows = read_table(argv[1]);
    std::map<std::string, unsigned> total, missing;
    for (const Row& row : rows) {
      const bool in_scope = row.book == "I" || row.book == "II";
      if (!in_scope && !all) continue;
      ++total[row.book];
      const mosaic::interp::DecodedInsn insn = mosaic::interp::decode(row.word);
      if (insn.handler != &mosaic::interp::illegal_instruction) continue;
      ++missing[row.book];
      std::cout << "missing  Book " << row.book << "  " << row.mnemonic << "  (primary " << row.primary
                << ", extended " << row.extended << ", e.g. 0x" << std::hex << row.word << std::dec << ")\n";
    }
    for (const auto& [book, count] : total) {
      std::cout << "Book " << book << ": " << count - missing[book] << " of " << count << " mnemonics decode\n";
    }
  } catch (const std::exception& e) {
    std::cerr << "interp_isa_coverage: " << e.what() << "\n";
    return 2;
  }
  return 0;
}
