"""graspqp.Object: signed distances equal to `graspqp sdf` (the C++ SDF); the GIL is released (two Python
threads inside C++ at once)."""
import threading

import numpy as np
import pytest

from conftest import MUG, BANANA, run_cli


def test_facts(mug):
    assert mug.vertices.shape[1] == 3 and mug.faces.shape[1] == 3 and mug.faces.dtype == np.int32
    assert mug.surface_points.shape == (2500, 3)
    assert mug.center.shape == (3,) and mug.radius > 0.05
    assert len(mug.sha256) == 64 and mug.scale == 1.0


@pytest.mark.parametrize("path,scale", [(MUG, 1.0), (BANANA, 1.5)])
def test_signed_distance_equals_the_cli(graspqp, path, scale):
    obj = graspqp.Object(path, scale=scale)
    rng = np.random.default_rng(3)
    lo, hi = obj.vertices.min(0), obj.vertices.max(0)
    pts = rng.uniform(lo - 0.03, hi + 0.03, size=(300, 3))
    out = run_cli("sdf", "--object", path, "--scale", scale,
                  stdin="".join(f"{x!r} {y!r} {z!r}\n" for x, y, z in pts)).stdout
    ref = np.loadtxt(out.splitlines())
    d, n, c = obj.signed_distance(pts, return_closest=True)
    assert d.shape == (300,) and n.shape == (300, 3) and c.shape == (300, 3)
    # The CLI prints 9 significant digits.
    np.testing.assert_allclose(d, ref[:, 0], rtol=1e-8, atol=1e-11)
    np.testing.assert_allclose(n, ref[:, 1:4], rtol=1e-8, atol=1e-9)
    np.testing.assert_allclose(c, ref[:, 4:7], rtol=1e-8, atol=1e-11)
    assert (d > 0).any() and (d < 0).any()


def test_single_point_and_input_types(mug):
    d, n = mug.signed_distance([0.0, 0.0, 0.3])
    assert isinstance(d, float) and d > 0 and n.shape == (3,)
    batch_d, _ = mug.signed_distance(np.array([[0.0, 0.0, 0.3]], dtype=np.float32))
    assert batch_d.shape == (1,) and abs(batch_d[0] - d) < 1e-6
    assert mug.signed_distance(np.zeros((0, 3)))[0].shape == (0,)
    # A Fortran-ordered or strided view is accepted (copied), a float64 C array is used in place.
    pts = np.asfortranarray(np.random.default_rng(0).uniform(-0.1, 0.1, (50, 3)))
    np.testing.assert_array_equal(mug.signed_distance(pts)[0], mug.signed_distance(np.ascontiguousarray(pts))[0])
    np.testing.assert_array_equal(mug.signed_distance(pts[::2])[0], mug.signed_distance(pts)[0][::2])


def test_bad_input_raises(graspqp, mug, tmp_path):
    with pytest.raises(FileNotFoundError, match="no_such_mesh.obj: file not found"):
        graspqp.Object(tmp_path / "no_such_mesh.obj")
    bad = tmp_path / "bad.obj"
    bad.write_text("this is not a mesh\n")
    with pytest.raises(ValueError, match="bad.obj"):
        graspqp.Object(bad)
    with pytest.raises(ValueError, match="scale: must be a positive number"):
        graspqp.Object(MUG, scale=-1)
    with pytest.raises(ValueError, match=r"points: expected an array of shape \(N, 3\) or \(3,\), got shape \(4, 2\)"):
        mug.signed_distance(np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"got shape \(2, 3, 1\)"):
        mug.signed_distance(np.zeros((2, 3, 1)))
    with pytest.raises(ValueError, match="points: row 2 has a non-finite value"):
        mug.signed_distance([[0, 0, 0], [0, 0, 0], [0, np.nan, 0]])
    with pytest.raises(ValueError, match="points: expected an array of real numbers"):
        mug.signed_distance([[0, 0], [0]])  # ragged
    with pytest.raises(ValueError, match="points: expected an array of real numbers, got None"):
        mug.signed_distance(None)
    with pytest.raises(ValueError, match="mesh_path: expected a path"):
        graspqp.Object(3)


def test_two_threads_are_inside_cpp_at_once(graspqp, mug):
    """Each call waits (GIL released) until both are inside C++: only possible if neither holds the GIL.
    Not a timing test: the rendezvous either happens or times out."""
    testing = graspqp._graspqp._testing
    pts = np.random.default_rng(0).uniform(-0.1, 0.1, (20000, 3))
    results = [None, None]

    def work(i):
        results[i] = mug.signed_distance(pts)[0]

    testing.set_rendezvous(2, 20.0)
    try:
        threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert testing.peak() == 2
    finally:
        testing.set_rendezvous(0)
    np.testing.assert_array_equal(results[0], results[1])
