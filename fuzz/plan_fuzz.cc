// Fuzz target: a saved plan file (`plan -out`) read back as `apply FILE` and
// `show FILE` read it (planner/plan_json.h: plan_from_json), then rendered
// as those commands render it (render_plan, render_dot, plan_report_json).
// A plan the reader accepts must also survive a save and a second read
// unchanged; a violation aborts, so the fuzzer reports it like a crash.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include <nlohmann/json.hpp>

#include "planner/plan_json.h"
#include "planner/render.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // As engine/cmd_plan.cc reads a plan file: not JSON is refused first.
  nlohmann::json j = nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return 0;
  cph::planner::Plan plan;
  try {
    plan = cph::planner::plan_from_json(j);
  } catch (const std::exception&) {
    return 0;  // refused with a message: what a damaged plan file should get
  }
  std::string text = cph::planner::render_plan(plan);
  text += cph::planner::render_dot(plan);
  text += cph::planner::plan_report_json(plan).dump();
  nlohmann::json saved = cph::planner::plan_to_json(plan);
  nlohmann::json again;
  try {
    again = cph::planner::plan_to_json(cph::planner::plan_from_json(saved));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "a plan that was read does not read again once saved: %s\n", e.what());
    std::abort();
  }
  if (again != saved) {
    std::fprintf(stderr, "a plan changes when saved and read again\n");
    std::abort();
  }
  return 0;
}
