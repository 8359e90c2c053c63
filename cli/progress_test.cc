#include <sstream>

#include <catch2/catch.hpp>

#include "cli/progress.h"

using cph::engine::Progress;
using cph::planner::ActionKind;

TEST_CASE("progress prints Terraform-style lines every interval per running resource") {
  Progress::Clock::time_point t{};
  std::ostringstream out;
  Progress p(out, std::chrono::seconds(10), [&] { return t; });
  p.started("server.web[0]", ActionKind::create);
  p.started("server.web[1]", ActionKind::remove);
  t += std::chrono::seconds(9);
  p.tick();
  t += std::chrono::seconds(1);
  p.tick();
  p.tick();  // not due again until 20 s
  t += std::chrono::seconds(12);
  p.finished("server.web[0]", "abc");
  p.failed("server.web[1]", "boom");
  p.tick();
  CHECK(out.str() ==
        "server.web[0]: Creating...\n"
        "server.web[1]: Destroying...\n"
        "server.web[0]: Still creating... [10s elapsed]\n"
        "server.web[1]: Still destroying... [10s elapsed]\n"
        "server.web[0]: Creation complete after 22s [id=abc]\n"
        "server.web[1]: Destruction failed: boom\n");
}

TEST_CASE("on a terminal, progress is one live status line; failures and notes print above it") {
  Progress::Clock::time_point t{};
  std::ostringstream out;
  Progress p(out, std::chrono::seconds(10), [&] { return t; });
  p.set_live(true);
  p.planned(4);
  p.started("server.web[0]", ActionKind::create);
  p.started("server.web[1]", ActionKind::create);
  t += std::chrono::seconds(1);
  p.tick();
  p.finished("server.web[0]", "abc");
  p.started("server.web[2]", ActionKind::update);
  t += std::chrono::seconds(1);
  p.tick();
  p.failed("server.web[1]", "SVC.0024");
  p.note("Resuming something");
  p.tick();
  p.close();
  const std::string el = "\r\033[K";
  CHECK(out.str() == el + "Apply: 0 done, 2 running, 2 waiting, 0 failed [1s elapsed]" +
                         el + "Apply: 1 done, 2 running, 1 waiting, 0 failed [2s elapsed]" +
                         el + "server.web[1]: Creation failed: SVC.0024\n"
                         "Resuming something\n" +
                         el + "Apply: 1 done, 1 running, 1 waiting, 1 failed [2s elapsed]" +
                         el + "Apply: 1 done, 1 running, 1 waiting, 1 failed [2s elapsed]\n");
}
