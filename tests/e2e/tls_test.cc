// Issue 17, TLS end to end: the real cphform binary against `cphform emulator
// serve --tls` (a certificate made at start, its CA in a file). A plan and an
// apply over HTTPS with [provider] ca_file; an unknown certificate, a wrong
// host name and an expired certificate are refused with a reason and no
// request; verification is off only with insecure = true, which warns on
// every run.
#include <catch2/catch.hpp>

#include "tests/e2e/harness.h"

using namespace cph::e2e;

namespace {

// server_manifest with further [provider] lines.
std::string tls_manifest(const std::string& endpoint, const std::string& provider_lines, int count = 2) {
  std::string m = server_manifest(endpoint, "web", count);
  return m.insert(m.find('\n') + 1, provider_lines);
}

std::string quoted(const std::string& s) { return "\"" + s + "\""; }


}  // namespace

TEST_CASE("plan and apply over HTTPS, trusting the emulator's CA through ca_file", "[e2e][tls]") {
  EmulatorProcess emu(1000.0, {"--tls"});
  REQUIRE(emu.url().rfind("https://localhost:", 0) == 0);
  REQUIRE(slurp(emu.ca_file()).find("BEGIN CERTIFICATE") != std::string::npos);
  REQUIRE(slurp(emu.ca_file()).find("PRIVATE KEY") == std::string::npos);  // the key stays in the emulator
  TempDir dir;
  dir.write("main.toml", tls_manifest(emu.url(), "ca_file = " + quoted(emu.ca_file()) + "\n"));
  auto plan = run_cphform({"plan"}, dir.path(), &emu);
  REQUIRE_RUN(plan, 0);
  CHECK(contains(plan.out, "2 to add"));
  auto apply = run_cphform({"apply", "-auto-approve"}, dir.path(), &emu);
  REQUIRE_RUN(apply, 0);
  CHECK(emu.servers().size() == 2);
  CHECK_FALSE(contains(apply.err, "Warning"));
  auto again = run_cphform({"plan", "-detailed-exitcode"}, dir.path(), &emu);
  REQUIRE_RUN(again, 0);  // converged, read back over HTTPS

  SECTION("a relative ca_file is found from the manifest directory") {
    dir.write("ca.pem", slurp(emu.ca_file()));
    dir.write("main.toml", tls_manifest(emu.url(), "ca_file = \"ca.pem\"\n"));
    TempDir elsewhere;
    REQUIRE_RUN(run_cphform({"-chdir=" + dir.path().string(), "plan"}, elsewhere.path(), &emu), 0);
  }
}

TEST_CASE("certificates that do not verify are refused with their reason and no request", "[e2e][tls]") {
  SECTION("unknown certificate: no ca_file") {
    EmulatorProcess emu(1000.0, {"--tls"});
    TempDir dir;
    dir.write("main.toml", tls_manifest(emu.url(), ""));
    auto plan = run_cphform({"plan"}, dir.path(), &emu);
    REQUIRE_RUN(plan, 1);
    CHECK(contains(plan.err, "TLS handshake failed: the server's certificate was refused: self-signed certificate"));
    CHECK(contains(plan.err, "set [provider] ca_file"));
    CHECK(emu.total_calls() == 0);
  }
  SECTION("wrong host name: the certificate names localhost, the endpoint says 127.0.0.1") {
    EmulatorProcess emu(1000.0, {"--tls"});
    std::string url = emu.url();
    url.replace(url.find("localhost"), 9, "127.0.0.1");
    TempDir dir;
    dir.write("main.toml", tls_manifest(url, "ca_file = " + quoted(emu.ca_file()) + "\n"));
    auto plan = run_cphform({"plan"}, dir.path(), &emu);
    REQUIRE_RUN(plan, 1);
    CHECK(contains(plan.err, "refused: hostname mismatch (the certificate does not name 127.0.0.1)"));
    CHECK(emu.total_calls() == 0);
  }
  SECTION("expired certificate, though its CA is trusted") {
    EmulatorProcess emu(1000.0, {"--tls", "--tls-expired"});
    TempDir dir;
    dir.write("main.toml", tls_manifest(emu.url(), "ca_file = " + quoted(emu.ca_file()) + "\n"));
    auto plan = run_cphform({"plan"}, dir.path(), &emu);
    REQUIRE_RUN(plan, 1);
    CHECK(contains(plan.err, "the server's certificate was refused: certificate has expired"));
    CHECK(emu.total_calls() == 0);
  }
  SECTION("a ca_file that cannot be read") {
    EmulatorProcess emu(1000.0, {"--tls"});
    TempDir dir;
    dir.write("main.toml", tls_manifest(emu.url(), "ca_file = \"missing-ca.pem\"\n"));
    auto plan = run_cphform({"plan"}, dir.path(), &emu);
    REQUIRE_RUN(plan, 1);
    CHECK(contains(plan.err, "cannot load CA file"));
    CHECK(contains(plan.err, "missing-ca.pem"));
    CHECK(emu.total_calls() == 0);
  }
}

TEST_CASE("insecure = true turns verification off, and every run says so", "[e2e][tls]") {
  EmulatorProcess emu(1000.0, {"--tls", "--tls-expired"});
  TempDir dir;
  const std::string warning = "Warning: [provider] insecure = true: HTTPS certificates are not verified";
  dir.write("main.toml", tls_manifest(emu.url(), "insecure = true\n", 1));
  for (const char* command : {"plan", "apply"}) {
    std::vector<std::string> args{command};
    if (std::string(command) == "apply") args.push_back("-auto-approve");
    auto r = run_cphform(args, dir.path(), &emu);
    REQUIRE_RUN(r, 0);
    CHECK(contains(r.err, warning));
  }
  CHECK(emu.servers().size() == 1);
  auto json_plan = run_cphform({"plan", "-json"}, dir.path(), &emu);
  REQUIRE_RUN(json_plan, 0);
  CHECK(contains(json_plan.out, warning));

  dir.write("main.toml", tls_manifest(emu.url(), "insecure = \"yes\"\n", 1));
  auto bad = run_cphform({"plan"}, dir.path(), &emu);
  REQUIRE_RUN(bad, 1);
  CHECK(contains(bad.err, "main.toml:2:12"));
  CHECK(contains(bad.err, "attribute \"insecure\" must be true or false"));
}
