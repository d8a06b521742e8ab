"""graspqp.Hand: the model's facts and forward kinematics, equal to `graspqp fk` (the C++ FK)."""
import numpy as np
import pytest

from conftest import cli_json, ROOT


def random_pose(rng):
    q = rng.normal(size=4)
    q *= np.sign(q[0]) / np.linalg.norm(q)  # w >= 0, as FK returns it
    return np.concatenate([rng.uniform(-0.2, 0.2, 3), q])


def test_facts_match_the_cli(graspqp, allegro):
    j = cli_json("hands", "--hand", "allegro", "--json")
    assert allegro.name == "allegro" and allegro.dof == j["dof"] == 16
    assert allegro.joint_names == [x["name"] for x in j["joints"]]
    np.testing.assert_array_equal(allegro.joint_lower, [x["lower"] for x in j["joints"]])
    np.testing.assert_array_equal(allegro.joint_upper, [x["upper"] for x in j["joints"]])
    np.testing.assert_array_equal(allegro.default_joints, [x["default"] for x in j["joints"]])
    assert allegro.link_names == j["links"]
    assert allegro.grasp_types[0] == "full"
    assert allegro.candidate_counts == j["grasp_types"]
    assert "allegro" in graspqp.bundled_hands()
    for t in allegro.grasp_types:
        c = allegro.contact_candidates(t)
        m = allegro.candidate_counts[t]
        assert len(c["link"]) == m and c["position"].shape == (m, 3) and c["normal"].shape == (m, 3)
        assert c["link_index"].dtype == np.int32
        np.testing.assert_allclose(np.linalg.norm(c["normal"], axis=1), 1.0, atol=1e-9)
        assert all(allegro.link_names[i] == name for i, name in zip(c["link_index"], c["link"]))


@pytest.mark.parametrize("name", ["allegro", "ability_hand", "robotiq2"])
def test_fk_equals_the_cli(graspqp, name):
    hand = graspqp.Hand(name)
    rng = np.random.default_rng(7)
    for _ in range(2):
        q = rng.uniform(hand.joint_lower, hand.joint_upper)
        pose = random_pose(rng)
        j = cli_json("fk", "--hand", name, "--joints", ",".join(repr(float(v)) for v in q),
                     "--pose", ",".join(repr(float(v)) for v in pose))
        fk = hand.fk(q, pose)
        assert list(fk) == hand.link_names and set(j["links"]) == set(fk)  # the JSON keys are sorted
        for link, frame in j["links"].items():
            assert fk[link].shape == (7,)
            np.testing.assert_allclose(fk[link][:3], frame["position"], atol=1e-12)
            np.testing.assert_allclose(fk[link][3:], frame["quaternion"], atol=1e-12)
            assert fk[link][3] >= 0


def test_fk_batches_broadcast_and_match_single_rows(allegro):
    rng = np.random.default_rng(1)
    n = 5
    q = rng.uniform(allegro.joint_lower, allegro.joint_upper, size=(n, allegro.dof))
    poses = np.stack([random_pose(rng) for _ in range(n)])
    batch = allegro.fk(q, poses)
    for i in range(n):
        one = allegro.fk(q[i], poses[i])
        for link in batch:
            assert batch[link].shape == (n, 7)
            np.testing.assert_array_equal(batch[link][i], one[link])
    # One pose for many joint rows, many poses for one joint row, no pose (identity).
    shared = allegro.fk(q, poses[0])
    # (the root link's frame is the pose, through a rotation matrix and back: equal to rounding)
    np.testing.assert_allclose(shared["allegro"], np.tile(poses[0], (n, 1)), atol=1e-15)
    np.testing.assert_allclose(allegro.fk(q[0], poses)["allegro"], poses, atol=1e-15)
    np.testing.assert_array_equal(allegro.fk(q)["allegro"], np.tile([0, 0, 0, 1, 0, 0, 0.0], (n, 1)))
    # Non-unit quaternions are normalized; integer and float32 input is converted.
    np.testing.assert_allclose(allegro.fk(q[0], np.r_[0, 0, 0, 2.0, 0, 0, 0])["allegro"], [0, 0, 0, 1, 0, 0, 0])
    assert allegro.fk(np.zeros(16, dtype=np.int64))["allegro"].dtype == np.float64
    assert allegro.fk(q.astype(np.float32))["allegro"].shape == (n, 7)
    assert allegro.fk(np.zeros((0, 16)))["allegro"].shape == (0, 7)


def test_hand_from_a_folder(graspqp):
    hand = graspqp.Hand(ROOT / "assets" / "hands" / "allegro")
    assert hand.dof == 16 and "Hand 'allegro'" in repr(hand)


def test_bad_input_raises(graspqp, allegro):
    with pytest.raises(ValueError, match="unknown hand 'no_such_hand'"):
        graspqp.Hand("no_such_hand")
    with pytest.raises(FileNotFoundError, match="no/such/folder"):
        graspqp.Hand("no/such/folder")
    with pytest.raises(ValueError, match="unknown grasp type|grasp type"):
        allegro.contact_candidates("no_such_type")
    with pytest.raises(ValueError, match=r"joints: expected an array of shape \(N, 16\) or \(16,\), got shape \(3,\)"):
        allegro.fk([0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match=r"joints: .*got shape \(2, 15\)"):
        allegro.fk(np.zeros((2, 15)))
    with pytest.raises(ValueError, match="joints: row 1 has a non-finite value"):
        allegro.fk(np.array([np.zeros(16), np.full(16, np.nan)]))
    with pytest.raises(ValueError, match="root_pose: row 0 has a non-finite value"):
        allegro.fk(np.zeros(16), [0, 0, np.inf, 1, 0, 0, 0])
    with pytest.raises(ValueError, match="root_pose: row 0 has a zero quaternion"):
        allegro.fk(np.zeros(16), [0, 0, 0, 0, 0, 0, 0])
    with pytest.raises(ValueError, match="root_pose: has 3 rows but joints has 2"):
        allegro.fk(np.zeros((2, 16)), np.tile([0, 0, 0, 1, 0, 0, 0.0], (3, 1)))
    with pytest.raises(ValueError, match="joints: expected an array of real numbers, got dtype <U1"):
        allegro.fk(["a"] * 16)
    with pytest.raises(ValueError, match="joints: expected an array of real numbers, got dtype complex128"):
        allegro.fk(np.zeros(16, dtype=complex))


def test_every_public_name_is_documented(graspqp):
    import pydoc
    assert "docs/python.md" in graspqp.__doc__
    for name in graspqp.__all__:
        obj = getattr(graspqp, name)
        assert obj.__doc__ and len(obj.__doc__.strip()) > 20, name
        assert name in pydoc.render_doc(obj, renderer=pydoc.plaintext)
    for method in ["fk", "contact_candidates"]:
        assert len(getattr(graspqp.Hand, method).__doc__) > 100
    assert "positive outside" in " ".join(graspqp.Object.signed_distance.__doc__.lower().split())
    assert "grad_root_pose" in graspqp.energy.__doc__ and "grasp_type" in graspqp.energy.__doc__
