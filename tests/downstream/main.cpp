// Uses the installed library: a bundled hand (found under the install prefix), an object, FK and the energy.
#include <graspqp/assets.hpp>
#include <graspqp/energy/grasp_energy.hpp>
#include <graspqp/version.hpp>

#include <cstdio>

int main() {
  using namespace graspqp;
  const HandModel hand = load_hand("allegro");
  const ObjectModel object = load_object(MUG);
  EnergyWorkspace ws(hand);
  EnergyTerms terms;
  Eigen::VectorXd grad;
  const Eigen::VectorXd x = make_state(Vec3(0, 0, 0.15), Mat3::Identity(), hand.default_joints());
  const std::vector<int> contacts = {0, 10, 20, 30};
  const double e = grasp_energy(hand, hand.grasp_type("full"), object, EnergyConfig{}, x, contacts, ws, terms, &grad);
  std::printf("graspqp %s assets %s dof %d energy %.6g grad %d\n", kVersion, assets_dir().c_str(), hand.dof(), e,
              static_cast<int>(grad.size()));
  return 0;
}
