"""graspqp.energy: terms and totals, gradients against central finite differences computed here, batches
equal to single rows, bad input."""
import numpy as np
import pytest


def state(allegro, rng, n):
    """Grasp-like states: the hand 7-12 cm from the mug, facing it, joints inside their limits."""
    poses, joints, idx = [], [], []
    m = allegro.candidate_counts["full"]
    for _ in range(n):
        q = rng.normal(size=4)
        q /= np.linalg.norm(q)
        poses.append(np.concatenate([rng.uniform(-0.1, 0.1, 3), q]))
        joints.append(rng.uniform(allegro.joint_lower, allegro.joint_upper))
        idx.append(rng.choice(m, size=8, replace=False))
    return np.array(poses), np.array(joints), np.array(idx)


def test_terms_and_total(graspqp, allegro, mug):
    pose, q, idx = state(allegro, np.random.default_rng(0), 6)
    e = graspqp.energy(allegro, mug, pose, q, idx)
    names = ["E_dis", "E_fc", "E_pen", "E_spen", "E_joints", "E_prior", "E_wall", "E_hpen"]
    assert set(e) == {"total", "grad_joints", "grad_root_pose", *names}
    assert e["total"].shape == (6,) and e["grad_joints"].shape == (6, 16) and e["grad_root_pose"].shape == (6, 7)
    w = dict(dis=100, fc=1, pen=100, spen=10, joints=1, prior=0, wall=0, hpen=100)
    total = sum(w[n[2:]] * e[n] for n in names)
    np.testing.assert_allclose(e["total"], total, rtol=1e-12)
    # Weights by keyword (CLI names) or as a file's parameters["weights"] dict.
    e2 = graspqp.energy(allegro, mug, pose, q, idx, w_pen=0.0, w_fc=2.0)
    np.testing.assert_allclose(e2["total"], total - 100 * e["E_pen"] + e["E_fc"], rtol=1e-12)
    e3 = graspqp.energy(allegro, mug, pose, q, idx, weights=dict(w, pen=0.0, fc=2.0))
    np.testing.assert_array_equal(e3["total"], e2["total"])
    # Single rows give the same numbers as the batch; one row may be shared by the batch.
    for i in range(6):
        one = graspqp.energy(allegro, mug, pose[i], q[i], idx[i])
        assert isinstance(one["total"], float) and one["grad_joints"].shape == (16,)
        assert one["total"] == e["total"][i]
        np.testing.assert_array_equal(one["grad_root_pose"], e["grad_root_pose"][i])
    shared = graspqp.energy(allegro, mug, pose, q[0], idx[0])
    assert shared["total"][0] == e["total"][0]
    # Threads do not change the result; gradient=False leaves the gradients out.
    np.testing.assert_array_equal(graspqp.energy(allegro, mug, pose, q, idx, threads=1)["total"], e["total"])
    assert "grad_joints" not in graspqp.energy(allegro, mug, pose, q, idx, gradient=False)


@pytest.mark.parametrize("energy_name", ["graspqp", "dexgraspnet"])
def test_gradients_match_central_differences(graspqp, allegro, mug, energy_name):
    rng = np.random.default_rng(5)
    pose, q, idx = state(allegro, rng, 3)
    # A quaternion that is not unit length: the gradient is that of E(R(q / |q|)).
    pose[:, 3:] *= 1.7
    e = graspqp.energy(allegro, mug, pose, q, idx, energy=energy_name)
    h = 1e-6

    def total(p, j):
        return graspqp.energy(allegro, mug, p, j, idx, energy=energy_name, gradient=False)["total"]

    fd_q = np.zeros_like(q)
    for k in range(q.shape[1]):
        dq = np.zeros_like(q)
        dq[:, k] = h
        fd_q[:, k] = (total(pose, q + dq) - total(pose, q - dq)) / (2 * h)
    fd_p = np.zeros_like(pose)
    for k in range(7):
        dp = np.zeros_like(pose)
        dp[:, k] = h
        fd_p[:, k] = (total(pose + dp, q) - total(pose - dp, q)) / (2 * h)
    scale_q = np.abs(fd_q).max() + 1e-3
    scale_p = np.abs(fd_p).max() + 1e-3
    np.testing.assert_allclose(e["grad_joints"], fd_q, atol=2e-4 * scale_q)
    np.testing.assert_allclose(e["grad_root_pose"], fd_p, atol=2e-4 * scale_p)
    # The quaternion part is orthogonal to q (a change of |q| does not change E).
    np.testing.assert_allclose(np.sum(e["grad_root_pose"][:, 3:] * pose[:, 3:], axis=1), 0, atol=1e-9 * scale_p)


def test_bad_input_raises(graspqp, allegro, mug):
    pose, q, idx = state(allegro, np.random.default_rng(0), 2)
    with pytest.raises(ValueError, match=r"contact_idx: row 1 has index 92, outside 0..91"):
        graspqp.energy(allegro, mug, pose, q, np.array([[0, 1], [2, 92]]))
    with pytest.raises(ValueError, match="contact_idx: row 0 has index -1"):
        graspqp.energy(allegro, mug, pose, q, [-1, 3])
    with pytest.raises(ValueError, match="contact_idx: expected an array of integers, got dtype float64"):
        graspqp.energy(allegro, mug, pose, q, idx.astype(float))
    with pytest.raises(ValueError, match=r"root_pose: expected an array of shape \(N, 7\)"):
        graspqp.energy(allegro, mug, pose[:, :6], q, idx)
    with pytest.raises(ValueError, match="joints: has 2 rows but root_pose has 3"):
        graspqp.energy(allegro, mug, np.vstack([pose, pose[:1]]), q, idx)
    with pytest.raises(ValueError, match="joints: row 0 has a non-finite value"):
        graspqp.energy(allegro, mug, pose, np.full_like(q, np.nan), idx)
    with pytest.raises(ValueError, match="root_pose: row 1 has a zero quaternion"):
        graspqp.energy(allegro, mug, np.array([pose[0], np.zeros(7)]), q, idx)
    with pytest.raises(ValueError, match="unknown grasp type 'nope'"):
        graspqp.energy(allegro, mug, pose, q, idx, grasp_type="nope")
    with pytest.raises(ValueError, match="nope"):
        graspqp.energy(allegro, mug, pose, q, idx, energy="nope")
    with pytest.raises(TypeError, match="unexpected keyword argument 'w_nope'"):
        graspqp.energy(allegro, mug, pose, q, idx, w_nope=1.0)
    with pytest.raises(ValueError, match="w_pen: must be finite"):
        graspqp.energy(allegro, mug, pose, q, idx, w_pen=float("nan"))
    with pytest.raises(ValueError, match="w_pen: expected a number"):
        graspqp.energy(allegro, mug, pose, q, idx, w_pen="a lot")
    with pytest.raises(ValueError, match="weights: unknown weight 'nope'"):
        graspqp.energy(allegro, mug, pose, q, idx, weights={"nope": 1})
    with pytest.raises(ValueError, match="cone_edges"):
        graspqp.energy(allegro, mug, pose, q, idx, cone_edges=0)
    with pytest.raises(TypeError):
        graspqp.energy("allegro", mug, pose, q, idx)
