#include "common/tls/serving_certificates.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/tls/certificate.h"

namespace mm::tls {
namespace {

// Mounted Secrets are small; a bigger file is not a certificate.
constexpr std::uintmax_t kMaxFileBytes = 1 << 20;

Result<std::string> ReadFile(const std::filesystem::path& path, bool* missing = nullptr) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) {
    if (missing && ec == std::errc::no_such_file_or_directory) {
      *missing = true;
      return std::string();
    }
    return Error{path.string() + ": " + ec.message()};
  }
  if (size > kMaxFileBytes) return Error{path.string() + ": larger than 1 MiB, not a PEM file"};
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  if (!in && !in.eof()) return Error{path.string() + ": cannot be read"};
  return out.str();
}

}  // namespace

Result<ServingCertificates> LoadMountedCertificates(const std::string& dir) {
  const std::filesystem::path base(dir);
  auto cert = ReadFile(base / "tls.crt");
  if (!cert) return cert.error();
  auto key = ReadFile(base / "tls.key");
  if (!key) return key.error();
  bool no_ca = false;
  auto ca = ReadFile(base / "ca.crt", &no_ca);
  if (!ca) return ca.error();
  if (auto s = VerifyKeyMatches(cert.value(), key.value()); !s) {
    return Error{dir + ": tls.crt/tls.key: " + s.error().message};
  }
  return ServingCertificates{std::move(ca).value(), std::move(cert).value(),
                             std::move(key).value()};
}

}  // namespace mm::tls
