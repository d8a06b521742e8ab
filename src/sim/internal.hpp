#pragma once
// Private helpers of src/sim.
namespace graspqp {
// Installs MuJoCo's error hook (errors become graspqp::Error exceptions) and warning hook (warnings are
// kept per thread instead of being written to MUJOCO_LOG.TXT). Idempotent, thread-safe.
void install_mujoco_handlers();
}  // namespace graspqp
