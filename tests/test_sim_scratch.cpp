#include <graspqp/sim/evaluate.hpp>
#include <graspqp/io/grasp_file.hpp>
#include <gtest/gtest.h>
#include <mujoco/mujoco.h>
#include <chrono>
#include <iostream>
using namespace graspqp;
static mjtNum now_ms() { return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count(); }
TEST(Scratch, Timers) {
  auto d = read_grasp_file(getenv("GRASPS"));
  auto h = load_hand(d.hand);
  ObjectLoadOptions lo; lo.surface_samples = 100; lo.scale = d.scale;
  auto object = load_object(d.object_path, lo);
  SimSceneOptions so; so.cache_dir = "/tmp/simscratch/cache"; if (getenv("HV")) so.object_hacd.max_vertices_per_hull = atoi(getenv("HV")); if (getenv("CONC")) so.object_hacd.concavity = atof(getenv("CONC"));
  auto p = make_protocol(getenv("PROTO") ? getenv("PROTO") : "graspqp");
  if (getenv("SET")) apply_protocol_setting(p, getenv("SET"));
  auto scene = build_sim_scene(h, object, p, so); std::cout << "object parts " << scene->object_parts << "\n";
  mjcb_time = now_ms;
  EvalOptions eo; eo.protocol = p; eo.threads = 1; 
  auto sg = dataset_sim_grasps(h, d);
  sg.resize(4);
  auto t0 = std::chrono::steady_clock::now();
  // run directly to inspect timers: use a data
  mjData* data = mj_makeData(scene->model.get());
  const mjModel* m = scene->model.get();
  std::cout << "nstack " << m->nstack << " njmax " << m->njmax << " nconmax " << m->nconmax << " ngeom " << m->ngeom << "\n";
  auto res = simulate_grasps(*scene, h, sg, eo);
  double el = std::chrono::duration<double>(std::chrono::steady_clock::now()-t0).count();
  std::cout << "4 grasps " << el << " s\n";
  // manual single grasp timers
  mj_resetData(m, data);
  for (int k=0;k<3;k++) data->mocap_pos[k]=sg[0].root_pose[k];
  for (int k=0;k<4;k++) data->mocap_quat[k]=sg[0].root_pose[3+k];
  std::vector<double> jv; coupled_joint_values(h, sg[0].joints, jv);
  for (size_t l=0;l<h.links.size();++l) if (scene->link_qpos[l]>=0) data->qpos[scene->link_qpos[l]] = jv[l];
  for (int a=0;a<h.dof();++a) data->ctrl[scene->actuator[a]] = sg[0].joints[a]+sg[0].closing_delta[a];
  for (int i=0;i<mjNTIMER;i++){data->timer[i].duration=0;data->timer[i].number=0;}
  int maxcon=0, maxefc=0;
  for (int k=0;k<500;k++){ mj_step(m,data); maxcon=std::max(maxcon,data->ncon); maxefc=std::max(maxefc,data->nefc);}
  const char* names[] = {"step","forward","inverse","position","velocity","actuation","acceleration","constraint","pos_kin","pos_inert","pos_collision","pos_make","pos_project"};
  for (int i=0;i<mjNTIMER;i++) std::cout << names[i] << " " << data->timer[i].duration/std::max(1,data->timer[i].number)*1000 << " us\n";
  std::cout << "maxcon " << maxcon << " maxefc " << maxefc << " solver iters " << data->solver_iter << "\n";
}
