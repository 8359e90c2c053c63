#include "manifest/files.h"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "manifest/limits.h"

namespace cph::manifest::files {
namespace fs = std::filesystem;

namespace {

struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

std::nullopt_t fail(std::string* error, std::string why) {
  if (error) *error = std::move(why);
  return std::nullopt;
}

// `written` resolved against `dir`; nullopt when it leads outside `dir`.
std::optional<fs::path> inside(const fs::path& dir, const std::string& written) {
  std::error_code ec;
  fs::path base = fs::weakly_canonical(dir.empty() ? fs::path(".") : dir, ec);
  if (ec) return std::nullopt;
  fs::path target = fs::path(written).is_absolute() ? fs::path(written) : base / written;
  target = fs::weakly_canonical(target, ec);
  if (ec) return std::nullopt;
  fs::path rel = target.lexically_relative(base);
  if (rel.empty() || rel.is_absolute() || *rel.begin() == "..") return std::nullopt;
  return target;
}

}  // namespace

std::optional<std::string> read_bounded(const fs::path& path, size_t limit, std::string* error) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer; regular files ignore it.
  Fd f{::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC)};
  if (f.fd < 0) return fail(error, std::string("cannot be opened: ") + std::strerror(errno));
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) return fail(error, std::string("cannot be read: ") + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return fail(error, "is not a regular file");
  auto too_big = [&](uint64_t size) {
    return fail(error, "is " + limits::with_commas(size) + " bytes; at most " + limits::with_commas(limit) +
                           " bytes are read");
  };
  if (static_cast<uint64_t>(st.st_size) > limit) return too_big(static_cast<uint64_t>(st.st_size));
  std::string out;
  char buffer[8192];
  while (out.size() <= limit) {
    ssize_t n = ::read(f.fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(error, std::string("cannot be read: ") + std::strerror(errno));
    if (n == 0) return out;
    out.append(buffer, static_cast<size_t>(n));
  }
  return too_big(out.size());  // it grew while being read
}

std::string read_named_file(const std::string& written, const SourcePos& at, const std::string& what, size_t limit) {
  fs::path dir = fs::path(at.file).parent_path();
  auto error = [&](const std::string& why) {
    throw ManifestError({Diagnostic{at, what + " names \"" + written + "\", which " + why}});
  };
  if (written.empty()) error("is empty; name a file in the manifest directory");
  std::optional<fs::path> path = inside(dir, written);
  if (!path)
    error("is outside the manifest directory \"" + (dir.empty() ? std::string(".") : dir.string()) +
          "\"; files a manifest reads must lie inside its directory");
  std::string why;
  std::optional<std::string> text = read_bounded(*path, limit, &why);
  if (!text) error(why);
  return *text;
}

}  // namespace cph::manifest::files
