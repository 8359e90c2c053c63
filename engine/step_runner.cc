#include "engine/step_runner.h"

#include <stdexcept>

namespace cph::engine {
namespace {

class RunnerPerProvider final : public StepRunner {
 public:
  RunnerPerProvider(std::map<std::string, std::unique_ptr<StepRunner>> runners, std::string fallback)
      : runners_(std::move(runners)), fallback_(std::move(fallback)) {
    if (!runners_.count(fallback_)) throw std::invalid_argument("no runner for the default provider " + fallback_);
  }
  boost::asio::awaitable<void> run(const resources::Step& step, resources::StepJournal& journal,
                                   resources::RunReport& report) override {
    co_await of(step.provider).run(step, journal, report);
  }
  boost::asio::awaitable<void> resume(const resources::ResumedOperation& operation, resources::StepJournal& journal,
                                      resources::RunReport& report) override {
    co_await of(operation.provider).resume(operation, journal, report);
  }
  void stop() override {
    for (auto& [name, runner] : runners_) runner->stop();
  }

 private:
  StepRunner& of(const std::string& name) {
    auto it = runners_.find(name);
    return *(it != runners_.end() ? it->second : runners_.at(fallback_));
  }
  std::map<std::string, std::unique_ptr<StepRunner>> runners_;
  std::string fallback_;
};

}  // namespace

std::unique_ptr<StepRunner> runner_per_provider(std::map<std::string, std::unique_ptr<StepRunner>> runners,
                                                std::string fallback) {
  return std::make_unique<RunnerPerProvider>(std::move(runners), std::move(fallback));
}

}  // namespace cph::engine
