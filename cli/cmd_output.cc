// cphform output [-json] [NAME]: the manifests' outputs, evaluated against
// the recorded state. Reads only; no lock, no cloud call.
#include <algorithm>
#include <ostream>
#include <stdexcept>

#include "cli/command.h"
#include "engine/outputs.h"

namespace cph::engine {

int cmd_output(Context& ctx, const Flags& flags) {
  Workspace ws = load_workspace(ctx);
  auto store = open_state(ws);
  std::vector<OutputValue> outputs = evaluate_outputs(ws.manifest, store->resources());
  if (!flags.positional.empty()) {
    const std::string& name = flags.positional[0];
    auto it = std::find_if(outputs.begin(), outputs.end(), [&](const OutputValue& o) { return o.name == name; });
    if (it == outputs.end())
      throw std::runtime_error("output \"" + name + "\" is not declared; declare it with [output." + name +
                               "] in the manifests");
    if (!it->known)
      throw std::runtime_error("output \"" + name + "\" has no value yet: what it refers to is not in the state "
                               "(run cphform apply)");
    if (flags.has("json")) ctx.out << it->value.dump() << "\n";
    else ctx.out << (it->value.is_string() ? it->value.get<std::string>() : it->value.dump()) << "\n";
    return 0;
  }
  if (flags.has("json")) {
    ctx.out << outputs_json(outputs).dump(2) << "\n";
    return 0;
  }
  if (outputs.empty()) {
    ctx.err << "Warning: no outputs: the manifests declare no [output.NAME].\n";
    return 0;
  }
  print_outputs(ctx.out, outputs);
  return 0;
}

}  // namespace cph::engine
