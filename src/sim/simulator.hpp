#pragma once
// The simulation of one grasp trial under a protocol (private to src/sim): reset to the grasp, drive the
// hand towards its closing targets, apply each test's pulls, check the object's displacement. When the
// settle time carries no disturbance, every test starts from the same settled state, so it is simulated
// once and copied (mj_copyData) into the other tests: the same bytes, a third of the settle work.
#include <graspqp/sim/evaluate.hpp>
#include <graspqp/sim/settle.hpp>

#include <mujoco/mujoco.h>

#include <Eigen/Geometry>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace graspqp::sim_detail {

struct DataDeleter {
  void operator()(mjData* d) const { mj_deleteData(d); }
};
using DataPtr = std::unique_ptr<mjData, DataDeleter>;

struct Segment {
  long steps = 0;
  int pull = -1;  // index into the test's directions, -1: no disturbance
};

struct TestOutcome {
  bool held = true;
  double max_translation = 0, max_rotation_deg = 0;
  double settle_translation = 0;
  int settle_contacts = 0;
};

struct TrialOutcome {
  std::vector<bool> held;  // per test
  double max_translation = 0, max_rotation_deg = 0;
  double settle_translation = 0;
  int settle_contacts = 0;
  double initial_penetration = 0;
  bool prefiltered = false;
  int warnings = 0;
  int tests_skipped = 0;  // tests not run after the verdict (stop_at_verdict)
  std::string error;
};

// The state of a test at the end of its settle time, shared by the test's siblings.
struct SettledState {
  bool captured = false;  // false: the first test ended before the settle time was over
  DataPtr data;
  TestOutcome outcome;  // the test's outcome so far (settle fields, maxima)
  Vec3 ref_pos = Vec3::Zero();
  Eigen::Quaterniond ref_quat = Eigen::Quaterniond::Identity();
};

class Simulator {
 public:
  Simulator(const SimScene& scene, const HandModel& hand, const EvalOptions& options)
      : s_(scene), hand_(hand), p_(options.protocol), m_(scene.model.get()) {}
  void set_detect_data(mjData* d) { detect_data_ = d; }
  // `settled` is scratch memory of the calling thread (its data is made on first use).
  void set_settled_state(SettledState* settled) { settled_ = settled; }
  // Called after every time step of a test with the test's index and step (tests, diagnostics).
  using StepObserver = std::function<void(int test, long step, const mjData* d)>;
  void set_step_observer(StepObserver observer) { observer_ = std::move(observer); }

  TrialOutcome run_trial(mjData* d, const SimGrasp& g, const Vec3& pos, const Eigen::Quaterniond& quat);
  // Only the closing: resets to the grasp, runs the settle time without disturbance and reads the hand
  // back in the frame the object has reached.
  SettledGrasp settle(mjData* d, const SimGrasp& g, const Vec3& pos, const Eigen::Quaterniond& quat);
  // The hand's root position, moved from `pos` until no hand-object contact of the reset state (the grasp's
  // joints; the pregrasp's under a "stages" closing) is deeper than `tolerance`: each round moves it out
  // along the deepest contact's normal by that contact's depth.
  Vec3 clear_of_object(mjData* d, const SimGrasp& g, Vec3 pos, const Eigen::Quaterniond& quat, double tolerance,
                       int max_rounds);

 private:
  const SimScene& s_;
  const HandModel& hand_;
  const SimProtocol& p_;
  const mjModel* m_;
  mjData* detect_data_ = nullptr;  // the thread's data of scene.detect_model (when there is one)
  SettledState* settled_ = nullptr;
  StepObserver observer_;
  std::vector<double> joint_value_;
  Eigen::VectorXd start_, delta_;
  Eigen::VectorXd pregrasp_;  // closing "stages": the pregrasp joints

  void prepare(const SimGrasp& g);  // the closing's start, increment and pregrasp for g
  bool is_object_geom(int g) const { return g >= s_.object_geom_begin && g < s_.object_geom_end; }
  bool is_hand_geom(int g) const { return g >= s_.hand_geom_begin && g < s_.hand_geom_end; }
  long steps_of(double seconds) const { return std::max(0L, std::lround(seconds / p_.timestep)); }
  // Whether the tests of a trial can share their settle phase (no disturbance during it).
  bool shares_settle() const;

  // Joint targets at time t of a test: a ramp at each joint's max_velocity (a step without a limit).
  void set_targets(mjData* d, double t) const;
  void reset(mjData* d, const SimGrasp& g, const Vec3& pos, const Eigen::Quaterniond& quat);
  // Smallest signed distance over hand-object contacts (+inf without contacts).
  double min_hand_object_distance(const mjData* d) const;
  int hand_bodies_touching(const mjData* d, double tolerance) const;
  bool separated_for_good(const mjData* d, const Vec3& force) const;
  // Runs test `test` from a reset state, or (resume) from the shared settled state; with capture, stores
  // the settled state for the other tests.
  TestOutcome run_test(mjData* d, int test, bool resume, bool capture);
};

}  // namespace graspqp::sim_detail
