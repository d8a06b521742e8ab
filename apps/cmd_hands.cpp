// `graspqp hands`: table of the bundled hands, or one hand as JSON.
#include <graspqp/hand/hand_json.hpp>
#include <graspqp/hand/hand_model.hpp>

#include <cstdio>
#include <iostream>
#include <memory>

#include "commands.hpp"

namespace graspqp::cli {

Handler add_hands_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("hands", "List the bundled hands, or describe one (--hand)");
  auto hand = std::make_shared<std::string>();
  auto as_json = std::make_shared<bool>(false);
  cmd->add_option("--hand", *hand, "Hand name or folder holding a hand.json");
  cmd->add_flag("--json", *as_json, "Print JSON (with --hand)");
  return [=]() {
    if (!hand->empty()) {
      const HandModel model = load_hand(*hand);
      for (const auto& w : model.warnings) std::cerr << "warning: " << w << "\n";
      const auto j = hand_summary_json(model);
      if (*as_json) {
        std::cout << j.dump(2) << "\n";
      } else {
        std::cout << "hand " << model.name << ": " << model.dof() << " DOF, " << model.links.size() << " links, "
                  << model.spheres.size() << " spheres\n";
        for (const auto& a : model.joints)
          std::printf("  %-36s [% .4f, % .4f] default % .4f\n", a.name.c_str(), a.lower, a.upper, a.default_value);
        for (const auto& g : model.grasp_types)
          std::printf("  grasp type %-10s %zu candidates\n", g.name.c_str(), g.candidates.size());
      }
      return 0;
    }
    if (*as_json) {
      nlohmann::json all = nlohmann::json::array();
      for (const auto& n : bundled_hand_names()) all.push_back(hand_summary_json(load_hand(n)));
      std::cout << all.dump(2) << "\n";
      return 0;
    }
    std::printf("%-14s %4s %6s %7s %6s  %s\n", "hand", "dof", "links", "spheres", "mesh", "grasp types (candidates)");
    for (const auto& n : bundled_hand_names()) {
      const HandModel m = load_hand(n);
      int mesh_links = 0;
      for (const auto& l : m.links) mesh_links += l.collision_sdf != nullptr;
      std::string types;
      for (const auto& g : m.grasp_types) types += g.name + " " + std::to_string(g.candidates.size()) + "  ";
      if (types.empty()) types = "(no contact annotations)";
      std::printf("%-14s %4d %6zu %7zu %6d  %s\n", m.name.c_str(), m.dof(), m.links.size(), m.spheres.size(),
                  mesh_links, types.c_str());
    }
    return 0;
  };
}

}  // namespace graspqp::cli
