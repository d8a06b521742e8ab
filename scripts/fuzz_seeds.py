#!/usr/bin/env python3
"""Regenerates the fuzz seed corpora fuzz/corpus/<target>/ from the bundled assets (docs/hardening.md).

    /usr/bin/python3 scripts/fuzz_seeds.py BUILD      # BUILD holds bin/graspqp (for a --validate run's protocol seed)

Seeds are small valid inputs of every kind each reader accepts; libFuzzer mutates them."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ASSETS = os.path.join(ROOT, "assets")
CORPUS = os.path.join(ROOT, "fuzz", "corpus")


def target(name):
    d = os.path.join(CORPUS, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d


def write(d, name, content):
    mode = "wb" if isinstance(content, bytes) else "w"
    with open(os.path.join(d, name), mode) as f:
        f.write(content)


TINY_URDF = """<?xml version="1.0"?>
<robot name="tiny">
  <link name="palm"><collision><origin xyz="0 0 0.01" rpy="0 0 0"/><geometry><box size="0.06 0.06 0.02"/></geometry></collision></link>
  <link name="finger"><collision><origin xyz="0 0 0.02"/><geometry><cylinder radius="0.008" length="0.04"/></geometry></collision></link>
  <link name="tip"><collision><geometry><sphere radius="0.01"/></geometry></collision></link>
  <link name="thumb"><collision><geometry><box size="0.01 0.01 0.04"/></geometry></collision></link>
  <joint name="j1" type="revolute"><parent link="palm"/><child link="finger"/><origin xyz="0.02 0 0.02" rpy="0 0.1 0"/>
    <axis xyz="0 1 0"/><limit lower="0" upper="1.5" effort="1" velocity="1"/></joint>
  <joint name="j2" type="fixed"><parent link="finger"/><child link="tip"/><origin xyz="0 0 0.04"/></joint>
  <joint name="j3" type="prismatic"><parent link="palm"/><child link="thumb"/><origin xyz="-0.02 0 0.02"/>
    <axis xyz="1 0 0"/><limit lower="-0.01" upper="0.02"/><mimic joint="j1" multiplier="0.01" offset="0"/></joint>
</robot>
"""


def tiny_hand():
    files = {
        "hand.json": json.dumps({"name": "tiny", "urdf": "tiny.urdf", "approach_axis": [0, 0, 1], "up_axis": [1, 0, 0],
                                 "init": {"distance_lower": 0.05}, "default_pose": {"j1": 0.3},
                                 "grasp_type_init": {"pinch": {"j1": "upper"}}, "sim": {"kp": 10}}, indent=1),
        "tiny.urdf": TINY_URDF,
        "contact_points.json": json.dumps({"tip": [[0, 0, 0.01], [0.01, 0, 0]], "finger": [[0, 0.008, 0.02]],
                                           "palm": [[0, 0, 0.02]]}),
        "penetration_points.json": json.dumps({"tip": [[0, 0, 0, 0.01]], "palm": [[0, 0, 0.01, 0.02], [0.01, 0, 0.01]]}),
        "eigengrasps.json": json.dumps({"pinch": {"tip": {"n_points": 2}, "finger": {}}}),
    }
    return "".join(f"--- {n}\n{c}\n" for n, c in files.items())


def hand_seed(name, boxes=True):
    """The bundled hand as one input; with boxes, its URDF meshes replaced by 2 cm boxes (loads in
    milliseconds under the sanitizers instead of seconds; contact patch meshes stay)."""
    d = os.path.join(ASSETS, "hands", name)
    with open(os.path.join(d, "hand.json")) as f:
        cfg = json.load(f)
    cfg["mesh_dir"] = os.path.normpath(os.path.join("assets", "hands", name, cfg.get("mesh_dir", ".")))
    out = f"--- hand.json\n{json.dumps(cfg, indent=1)}\n"
    for fn in [cfg["urdf"], "contact_points.json", "penetration_points.json", "eigengrasps.json"]:
        p = os.path.join(d, fn)
        if os.path.exists(p):
            with open(p) as f:
                text = f.read()
            if boxes and fn == cfg["urdf"]:
                text = re.sub(r"<mesh [^>]*/>", '<box size="0.02 0.02 0.02"/>', text)
            out += f"--- {fn}\n{text}\n"
    return out


TETRA_OBJ = """# tetrahedron: a quad, negative indices, texture and normal indices, groups, a material library
mtllib missing.mtl
o tetra
v 0 0 0
v 0.05 0 0
v 0 0.05 0
v 0 0 0.05
vt 0 0
vn 0 0 1
g base
usemtl red
f 1/1/1 3/1/1 2/1/1
g sides
f -4 -3 -1
f 1 4 3
f 2//1 3//1 4//1
"""
CUBE_OBJ = "".join(f"v {x} {y} {z}\n" for x in (0, 0.04) for y in (0, 0.04) for z in (0, 0.04)) + (
    "f 1 3 4 2\nf 5 6 8 7\nf 1 2 6 5\nf 3 7 8 4\nf 1 5 7 3\nf 2 4 8 6\n")

TETRA_STL = """solid tetra
facet normal 0 0 -1
 outer loop
  vertex 0 0 0
  vertex 0 0.05 0
  vertex 0.05 0 0
 endloop
endfacet
facet normal 0 -1 0
 outer loop
  vertex 0 0 0
  vertex 0.05 0 0
  vertex 0 0 0.05
 endloop
endfacet
facet normal -1 0 0
 outer loop
  vertex 0 0 0
  vertex 0 0 0.05
  vertex 0 0.05 0
 endloop
endfacet
facet normal 1 1 1
 outer loop
  vertex 0.05 0 0
  vertex 0 0.05 0
  vertex 0 0 0.05
 endloop
endfacet
endsolid tetra
"""
TETRA_V = [(0, 0, 0), (0.05, 0, 0), (0, 0.05, 0), (0, 0, 0.05)]
TETRA_F = [(0, 2, 1), (0, 1, 3), (0, 3, 2), (1, 2, 3)]


def binary_stl():
    import struct
    b = b"binary tetra".ljust(80, b" ") + struct.pack("<I", len(TETRA_F))
    for f in TETRA_F:
        b += struct.pack("<3f", 0, 0, 0) + b"".join(struct.pack("<3f", *TETRA_V[i]) for i in f) + b"\0\0"
    return b


def ply(fmt):
    import struct
    head = (f"ply\nformat {fmt} 1.0\ncomment tetra\nelement vertex 4\nproperty float x\nproperty float y\n"
            "property float z\nelement face 4\nproperty list uchar int vertex_indices\nend_header\n")
    if fmt == "ascii":
        return head + "".join("%g %g %g\n" % v for v in TETRA_V) + "".join("3 %d %d %d\n" % f for f in TETRA_F)
    end = "<" if fmt == "binary_little_endian" else ">"
    body = b"".join(struct.pack(end + "3f", *v) for v in TETRA_V)
    body += b"".join(struct.pack(end + "B3i", 3, *f) for f in TETRA_F)
    return head.encode() + body


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build")
    cli = os.path.join(build, "bin", "graspqp")
    hands = sorted(n for n in os.listdir(os.path.join(ASSETS, "hands")) if os.path.exists(os.path.join(ASSETS, "hands", n, "hand.json")))

    d = target("urdf")
    for h in hands:
        cfg = json.load(open(os.path.join(ASSETS, "hands", h, "hand.json")))
        shutil.copy(os.path.join(ASSETS, "hands", h, cfg["urdf"]), os.path.join(d, h + ".urdf"))
    write(d, "tiny.urdf", TINY_URDF)

    d = target("hand")
    for h in hands:
        write(d, h + ".hand", hand_seed(h))
    write(d, "panda_meshes.hand", hand_seed("panda", boxes=False))
    write(d, "tiny.hand", tiny_hand())

    d = target("mesh_obj")
    for rel in ["hands/allegro/meshes/l1_contact.obj", "hands/allegro/meshes/palm_contact.obj",
                "hands/barrett/contacts/finger_1_dist_link.obj", "hands/panda/contacts/contact_panda_finger.obj"]:
        shutil.copy(os.path.join(ASSETS, rel), os.path.join(d, rel.replace("/", "_")))
    write(d, "tetra.obj", TETRA_OBJ)
    write(d, "cube_quads.obj", CUBE_OBJ)

    d = target("mesh_stl")
    for rel in ["hands/schunk/meshes/contacts/gripper_finger_down.STL", "hands/schunk/meshes/contacts/gripper_finger_up.STL"]:
        shutil.copy(os.path.join(ASSETS, rel), os.path.join(d, rel.replace("/", "_")))
    write(d, "tetra_ascii.stl", TETRA_STL)
    write(d, "tetra_binary.stl", binary_stl())

    d = target("mesh_ply")
    write(d, "tetra_ascii.ply", ply("ascii"))
    write(d, "tetra_le.ply", ply("binary_little_endian"))
    write(d, "tetra_be.ply", ply("binary_big_endian"))

    d = target("grasp_file")
    import random
    rng = random.Random(1)
    for i in range(8):
        write(d, f"edits{i}.bin", bytes(rng.randrange(256) for _ in range(8 + 6 * i)))

    d = target("number_list")
    for i, s in enumerate(["0.1,0.2,0.3", "1e-3, -2 ,3", "0,0,0,1,0,0,0", "5", " 4,\t2 ", "nan,1", "1,,2", "0x1p-3,inf"]):
        write(d, f"list{i}.txt", s)

    d = target("cli")
    for i, args in enumerate([
            ["--version"], ["hands", "--hand", "allegro", "--json"],
            ["fk", "--hand", "allegro", "--joints", "0,0,0", "--pose", "0,0,0,1,0,0,0", "--grasp-type", "pinch"],
            ["sdf", "--object", "m.obj", "--scale", "2"],
            ["generate", "--hand", "allegro", "--object", "a.obj", "b.ply", "--out", "o", "--grasps", "3", "--contacts", "4",
             "--iters", "10", "--friction", "0.5", "--distance-lower", "0.02", "--validate", "graspqp", "--validate-set", "magnitude=5"],
            ["generate", "--hand", "shadow_hand", "--objects", "d", "--out", "o", "--threads", "2", "--w-pen", "10", "--overwrite"],
            ["metrics", "--grasps", "a.h5", "b", "--json", "m.json", "--contact-threshold", "0.01", "--friction", "0.3"],
            ["eval", "--grasps", "g", "--out", "e", "--protocol", "dexgraspnet", "--set", "magnitude=5", "trial_rule=all", "--trials", "2",
             "--perturb-translation", "0.002", "--concavity", "100", "--no-plots"],
            ["view", "--grasps", "g.h5", "--best", "3", "--cones", "--out", "v"], ["view", "--hand", "allegro", "--out", "v"],
            ["hand", "init", "--urdf", "h.urdf", "--out", "d", "--only", "contacts,spheres", "--default-pose", "j=0.2"],
            ["hand", "check", "allegro", "--json", "--no-mujoco"], ["generate", "--help"]]):
        write(d, f"args{i}.txt", "\n".join(args) + "\n")

    d = target("protocol")
    write(d, "settings.txt", "magnitude=5\ntrial_rule=all\ntests=[[[0,0,1]],[[1,0,0],[0,1,0]]]\ntest_names=[\"z\",\"xy\"]\n")
    write(d, "config.json", json.dumps({"friction": 0.5, "timestep": 0.004, "solver_iterations": 50, "multiccd": False,
                                         "max_rotation_deg": 10, "object_mass": 0, "object_density": 300}))
    if os.path.exists(cli):
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run([cli, "generate", "--hand", "panda", "--object", os.path.join(ASSETS, "objects", "misc", "apple.ply"),
                            "--grasps", "2", "--contacts", "2", "--iters", "3", "--out", os.path.join(tmp, "a")],
                           check=True, capture_output=True)
            subprocess.run([cli, "generate", "--hand", "robotiq2", "--object", os.path.join(ASSETS, "objects", "misc", "apple.ply"),
                            "--grasps", "1", "--contacts", "2", "--iters", "2", "--validate", "graspqp",
                            "--validate-set", "stop_at_verdict=false", "--out", os.path.join(tmp, "b")],
                           check=True, capture_output=True)
            params = json.load(open(os.path.join(tmp, "b", "summary.json")))["parameters"]["validate"]
            write(os.path.join(CORPUS, "protocol"), "graspqp_full.json", json.dumps(params, indent=1))
    else:
        print(f"fuzz_seeds: {cli} not found; the protocol seed graspqp_full.json not made", file=sys.stderr)


if __name__ == "__main__":
    main()
