// What the engine knows of a provider's errors (issue 13): how to say one to
// people, and whether the service refused the request. A provider's client
// raises its own error types (resources/cph: CloudError, MalformedAnswer);
// they derive from this as well as from std::runtime_error, so the engine
// describes and classifies them without knowing any cloud.
#pragma once

#include <string>

namespace cph::cloud {

class ServiceError {
 public:
  virtual ~ServiceError() = default;
  // One line for people: the API, the service's code and message, what the
  // code means, the request id; never a credential.
  virtual std::string describe() const = 0;
  // True only when the service answered a documented refusal, so the request
  // did nothing (the one rule for a mutation's outcome, docs/architecture.md
  // decision 3). Anything else leaves the outcome unknown.
  virtual bool refused() const { return false; }

 protected:
  ServiceError() = default;
  ServiceError(const ServiceError&) = default;
  ServiceError& operator=(const ServiceError&) = default;
};

}  // namespace cph::cloud
