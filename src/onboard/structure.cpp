// Step 1 of `graspqp hand init`: the hand's structure (palm, finger chains and their roles, approach and
// up axes), the default-pose rule and the closing motion (rules in docs/adding_a_hand.md).
#include <graspqp/onboard/structure.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>

#include "internal.hpp"

namespace graspqp {

using onboard_detail::fk_at;
using onboard_detail::mid_range;
using onboard_detail::round_to;

namespace {

// Lower-case copy, for name matching ("Thumb", "THUMB").
std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Unit axis rounded to 4 decimals (stable hand.json values).
Vec3 round_axis(Vec3 v) {
  v.normalize();
  for (int k = 0; k < 3; ++k) {
    v[k] = round_to(v[k], 1e-4);
    if (std::abs(v[k]) < 1e-4) v[k] = 0;  // no "-0"
  }
  return v.normalized();
}

}  // namespace

Eigen::VectorXd suggested_default_pose(const HandModel& model, double curl, double thumb_curl,
                                       const HandStructure* structure) {
  std::set<int> thumb_links, chain_links;
  if (structure && structure->thumb >= 0 && structure->chains[structure->thumb].named)
    thumb_links.insert(structure->chains[structure->thumb].links.begin(),
                       structure->chains[structure->thumb].links.end());
  if (structure)
    for (const auto& c : structure->chains) chain_links.insert(c.links.begin(), c.links.end());
  Eigen::VectorXd q(model.dof());
  for (int j = 0; j < model.dof(); ++j) {
    const auto& a = model.joints[j];
    const double z = std::clamp(0.0, a.lower, a.upper), m = 0.5 * (a.lower + a.upper);
    // Joints outside the fingers (a wrist) stay at zero.
    const double c = thumb_links.count(a.link) ? thumb_curl : (structure && !chain_links.count(a.link)) ? 0.0 : curl;
    q[j] = std::clamp(z + c * (m - z), a.lower, a.upper);
  }
  return q;
}

Eigen::VectorXd closing_motion(const HandModel& model, const HandData& data, const HandStructure& structure) {
  const Vec3 approach_axis = structure.approach_axis;
  std::set<int> chain_links;
  for (const auto& c : structure.chains) chain_links.insert(c.links.begin(), c.links.end());
  const Eigen::VectorXd mid = mid_range(model);
  Eigen::VectorXd dq = mid - model.default_joints();
  for (int j = 0; j < model.dof(); ++j) {
    // A joint that starts at mid-range (e.g. an opposed thumb) closes like from its zero pose.
    const auto& a = model.joints[j];
    if (std::abs(dq[j]) < 0.05 * (a.upper - a.lower)) dq[j] = mid[j] - std::clamp(0.0, a.lower, a.upper);
  }
  const Vec3 a = approach_axis.normalized();
  for (int j = 0; j < model.dof(); ++j) {
    const int l = model.joints[j].link;
    if (!chain_links.count(l) ||
        (model.joints[j].type == JointType::Revolute && std::abs(data.axis_world[l].dot(a)) > std::cos(M_PI / 6)))
      dq[j] = 0;
  }
  return dq;
}

HandStructure analyze_hand_structure(const HandModel& model) {
  HandStructure s;
  const int n = static_cast<int>(model.links.size());
  std::vector<bool> moving(n, false), geo_below(n, false);
  for (int l = 0; l < n; ++l)
    if (model.links[l].parent >= 0)
      moving[l] = moving[model.links[l].parent] || model.links[l].joint_type != JointType::Fixed;
  for (int l = n - 1; l >= 0; --l)
    for (int c : model.links[l].children)
      if (geo_below[c] || model.links[c].collision_sdf) geo_below[l] = true;

  HandData data(model);
  fk_at(model, model.default_joints(), data);

  auto ancestors = [&](int l) {  // l first, root last
    std::vector<int> a;
    for (; l >= 0; l = model.links[l].parent) a.push_back(l);
    return a;
  };
  // The hand's centre link: the deepest common ancestor of the fingertips (with one fingertip, the link above
  // its first moving joint). Links above it (forearm, wrist) belong to neither the palm nor a finger.
  auto common_ancestor = [&](const std::vector<int>& tips) {
    if (tips.empty()) return 0;
    const auto first = ancestors(tips[0]);
    if (tips.size() == 1) {
      int top = tips[0];
      for (int l : first)
        if (moving[l]) top = l;
      return std::max(0, model.links[top].parent);
    }
    for (int c : first) {
      bool all = true;
      for (int t : tips) {
        const auto a = ancestors(t);
        all = all && std::find(a.begin(), a.end(), c) != a.end();
      }
      if (all) return c;
    }
    return 0;
  };
  // Links rigidly attached to a link (through fixed joints, up and down the tree).
  auto rigid_group = [&](int c) {
    std::set<int> g{c};
    std::vector<int> stack{c};
    while (!stack.empty()) {
      const int l = stack.back();
      stack.pop_back();
      const LinkModel& link = model.links[l];
      if (link.parent >= 0 && link.joint_type == JointType::Fixed && g.insert(link.parent).second)
        stack.push_back(link.parent);
      for (int ch : link.children)
        if (model.links[ch].joint_type == JointType::Fixed && g.insert(ch).second) stack.push_back(ch);
    }
    return g;
  };
  std::vector<int> tips;
  for (int l = 0; l < n; ++l)
    if (model.links[l].collision_sdf && !geo_below[l] && moving[l]) tips.push_back(l);
  int centre = common_ancestor(tips);
  std::set<int> rigid = rigid_group(centre);
  const size_t before = tips.size();
  tips.erase(std::remove_if(tips.begin(), tips.end(), [&](int t) { return rigid.count(t) > 0; }), tips.end());
  if (tips.size() != before) {
    centre = common_ancestor(tips);
    rigid = rigid_group(centre);
  }

  double best_volume = -1;
  for (int l : rigid) {
    if (!model.links[l].collision_sdf) continue;
    s.palm.push_back(l);
    const double v = model.links[l].collision_box.volume();
    if (v > best_volume) {
      best_volume = v;
      s.palm_main = l;
    }
  }
  std::sort(s.palm.begin(), s.palm.end());
  if (s.palm_main >= 0)
    s.palm_center = data.pose_base[s.palm_main] * model.links[s.palm_main].collision_box.center();
  else
    s.palm_center = data.pose_base[centre].translation();

  for (int t : tips) {
    FingerChain c;
    c.tip = t;
    for (int k = t; k >= 0 && k != centre && !rigid.count(k); k = model.links[k].parent) c.links.push_back(k);
    std::reverse(c.links.begin(), c.links.end());
    if (c.links.empty()) continue;
    c.base = c.links.front();
    s.chains.push_back(std::move(c));
  }

  // Thumb: a chain with "thumb" in a link or joint name, else (3+ chains) the chain whose base is farthest
  // (mean distance) from the other bases.
  auto base_pos = [&](const FingerChain& c) { return Vec3(data.pose_base[c.base].translation()); };
  for (size_t i = 0; i < s.chains.size() && s.thumb < 0; ++i)
    for (int l : s.chains[i].links)
      if (lower(model.links[l].name).find("thumb") != std::string::npos ||
          lower(model.links[l].joint_name).find("thumb") != std::string::npos) {
        s.thumb = static_cast<int>(i);
        s.chains[i].named = true;
        break;
      }
  if (s.thumb < 0 && s.chains.size() >= 3) {
    double best = -1;
    for (size_t i = 0; i < s.chains.size(); ++i) {
      double sum = 0;
      for (size_t k = 0; k < s.chains.size(); ++k)
        if (k != i) sum += (base_pos(s.chains[i]) - base_pos(s.chains[k])).norm();
      if (sum > best + 1e-9) {
        best = sum;
        s.thumb = static_cast<int>(i);
      }
    }
  }
  // Finger names in the chain's subtree (links and joints below its base, e.g. "index_tip_head").
  auto subtree_names = [&](const FingerChain& c) {  // alphabetic tokens of link and joint names, space-separated
    std::string names;
    std::vector<int> stack{c.base};
    while (!stack.empty()) {
      const int l = stack.back();
      stack.pop_back();
      for (const std::string& raw : {model.links[l].name, model.links[l].joint_name}) {
        names += ' ';
        for (char ch : lower(raw)) names += std::isalpha(static_cast<unsigned char>(ch)) ? ch : ' ';
      }
      for (int ch : model.links[l].children) stack.push_back(ch);
    }
    return names + " ";
  };
  if (s.thumb >= 0) {
    // Thumb first, then the fingers named index/middle/ring/little|pinky, then the others by the distance of
    // their base to the thumb's base (stable).
    std::vector<FingerChain> ordered{s.chains[s.thumb]};
    std::vector<FingerChain> rest;
    for (size_t i = 0; i < s.chains.size(); ++i)
      if (static_cast<int>(i) != s.thumb) rest.push_back(s.chains[i]);
    const Vec3 tb = base_pos(ordered[0]);
    auto named_rank = [&](const FingerChain& c) {
      const std::string n = subtree_names(c);
      const char* words[] = {"index", "middle", "ring", "little", "pinky"};
      for (int k = 0; k < 5; ++k)
        if (n.find(" " + std::string(words[k]) + " ") != std::string::npos) return std::min(k, 3);
      // Shadow's convention: name parts starting with ff, mf, rf, lf (first, middle, ring, little finger).
      const char* prefixes[] = {"ff", "mf", "rf", "lf"};
      std::string token;
      for (size_t i = 0; i <= n.size(); ++i) {
        const char ch = i < n.size() ? n[i] : ' ';
        if (std::isalpha(static_cast<unsigned char>(ch))) {
          token += ch;
          continue;
        }
        for (int k = 0; k < 4; ++k)
          if (token.size() > 2 && token.compare(0, 2, prefixes[k]) == 0) return k;
        token.clear();
      }
      return 4;
    };
    for (auto& c : rest) c.named = named_rank(c) < 4;
    std::stable_sort(rest.begin(), rest.end(), [&](const FingerChain& a, const FingerChain& b) {
      const int ra = named_rank(a), rb = named_rank(b);
      if (ra != rb) return ra < rb;
      return (base_pos(a) - tb).norm() < (base_pos(b) - tb).norm() - 1e-6;
    });
    for (auto& c : rest) ordered.push_back(std::move(c));
    s.chains = std::move(ordered);
    s.thumb = 0;
    const char* names[] = {"thumb", "index", "middle", "ring", "little"};
    for (size_t i = 0; i < s.chains.size(); ++i) s.chains[i].role = i < 5 ? names[i] : "finger" + std::to_string(i);
  } else {
    for (size_t i = 0; i < s.chains.size(); ++i) s.chains[i].role = "finger" + std::to_string(i + 1);
  }

  // Grasp centre: mean fingertip at the mid-range pose; approach axis: palm centre -> grasp centre.
  if (!s.chains.empty()) {
    HandData mid(model);
    fk_at(model, mid_range(model), mid);
    Vec3 g = Vec3::Zero();
    for (const auto& c : s.chains) g += mid.pose_base[c.tip] * model.links[c.tip].collision_box.center();
    s.grasp_center = g / static_cast<double>(s.chains.size());
  }
  const Vec3 d = s.grasp_center - s.palm_center;
  s.approach_axis = d.norm() > 1e-6 ? round_axis(d) : Vec3::UnitZ();
  int best_axis = 0;
  for (int k = 1; k < 3; ++k)
    if (std::abs(s.approach_axis[k]) < std::abs(s.approach_axis[best_axis]) - 1e-9) best_axis = k;
  const Vec3 e = Vec3::Unit(best_axis);
  s.up_axis = round_axis(e - e.dot(s.approach_axis) * s.approach_axis);
  return s;
}

}  // namespace graspqp
