// Runs a fuzz target's entry point over files, as libFuzzer would run one
// input, for builds without libFuzzer: `fuzz_NAME_replay PATH...` where each
// PATH is a file or a directory of files (a missing directory is skipped, so
// a target with no regressions yet needs none). Exits non-zero only by
// crashing, which is what a regression looks like.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

void run_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::printf("%s (%zu bytes)\n", path.c_str(), bytes.size());
  std::fflush(stdout);  // a crash names the input it crashed on
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
    return 2;
  }
  // Absolute, all of them before the first input runs: a target may change
  // the working directory (manifest_fuzz.cc), and a later relative path would
  // then name a missing directory and be skipped.
  std::vector<std::filesystem::path> args;
  for (int i = 1; i < argc; ++i) args.push_back(std::filesystem::absolute(argv[i]));
  size_t count = 0;
  for (const std::filesystem::path& arg : args) {
    if (std::filesystem::is_directory(arg)) {
      std::vector<std::filesystem::path> files;
      for (const auto& e : std::filesystem::directory_iterator(arg))
        if (e.is_regular_file()) files.push_back(e.path());
      std::sort(files.begin(), files.end());
      for (const auto& f : files) run_file(f), ++count;
    } else if (std::filesystem::exists(arg)) {
      run_file(arg), ++count;
    }
  }
  std::printf("%zu input(s) ran without a crash\n", count);
  return 0;
}
