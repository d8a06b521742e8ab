#include <graspqp/sim/evaluate.hpp>
#include <graspqp/hand/hand_model.hpp>
#include <gtest/gtest.h>
#include <mujoco/mujoco.h>
#include <chrono>
#include <iostream>
using namespace graspqp;
TEST(Scratch, Hacd) {
  const char* obj = getenv("OBJ");
  auto t0 = std::chrono::steady_clock::now();
  HacdOptions o;
  if (getenv("CONC")) o.concavity = atof(getenv("CONC"));
  if (getenv("TF")) o.target_faces = atoi(getenv("TF"));
  auto r = object_convex_parts(obj, 1.0, o, "/tmp/simscratch/cache");
  std::cout << "parts " << r.parts.size() << " src " << r.source << " t " << std::chrono::duration<double>(std::chrono::steady_clock::now()-t0).count() << "\n";
  const char* hand = getenv("HAND");
  if (!hand) return;
  auto h = load_hand(hand);
  ObjectLoadOptions lo; lo.surface_samples = 100;
  auto object = load_object(obj, lo);
  SimSceneOptions so; so.cache_dir = "/tmp/simscratch/cache"; so.object_hacd = o;
  t0 = std::chrono::steady_clock::now();
  auto parts = hand_convex_parts(h, so);
  for (size_t l = 0; l < parts.size(); ++l) if (parts[l].size() > 1) std::cout << h.links[l].name << " parts " << parts[l].size() << "\n";
  auto scene = build_sim_scene(h, object, make_protocol("graspqp"), so);
  std::cout << "scene t " << std::chrono::duration<double>(std::chrono::steady_clock::now()-t0).count() << " nbody " << scene->model->nbody << " ngeom " << scene->model->ngeom << " mass " << scene->object_mass << " hand parts " << scene->hand_parts << "\n";
}
