// graspqp viewer: the page script of `graspqp view`. Bundled with three.js into one classic script
// (build.mjs) and inlined into index.html together with the scene data (JSON with base64 .glb files),
// so the page works offline from file:// and from any static server.
import * as THREE from 'three';
import { OrbitControls } from 'three/addons/controls/OrbitControls.js';
import { GLTFLoader } from 'three/addons/loaders/GLTFLoader.js';
import css from './viewer.css';

const VERSION = typeof __THREE_VERSION__ !== 'undefined' ? __THREE_VERSION__ : THREE.REVISION;

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c != null) e.append(c);
  return e;
}

function fmt(v, digits = 4) {
  if (v === null || v === undefined) return '–';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v !== 'number') return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(2);
  return v.toPrecision(digits).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
}

function decodeBase64(b64) {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; ++i) bytes[i] = bin.charCodeAt(i);
  return bytes.buffer;
}

// Same ramp as force_share_color() in src/view/scene.cpp (sRGB stops at t = 0, 1/4, 1/2, 3/4, 1).
const RAMP = [[0.23, 0.30, 0.75], [0.0, 0.70, 0.85], [0.30, 0.80, 0.20], [1.0, 0.80, 0.0], [0.85, 0.10, 0.10]];
function shareColor(share, n) {
  if (share === null || share === undefined || !isFinite(share)) return 'rgb(128,128,128)';
  const t = Math.min(1, Math.max(0, (share * Math.max(n, 1)) / 2));
  const k = Math.min(3, Math.floor(t * 4)), u = t * 4 - k;
  const a = RAMP[k], b = RAMP[k + 1];
  const c = a.map((x, i) => Math.round(255 * (x + (b[i] - x) * u)));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

function table(rows, head) {
  const t = el('table');
  if (head) t.append(el('tr', {}, ...head.map((h) => el('th', { text: h }))));
  for (const r of rows) {
    t.append(el('tr', {}, ...r.map((c) => {
      if (c instanceof Node) return el('td', {}, c);
      return el('td', { class: typeof c === 'number' ? 'num' : '', text: typeof c === 'number' ? fmt(c) : String(c) });
    })));
  }
  return t;
}

class Viewer {
  constructor(container) {
    this.container = container;
    this.renderer = new THREE.WebGLRenderer({ antialias: true, preserveDrawingBuffer: true });
    this.renderer.setPixelRatio(Math.min(window.devicePixelRatio || 1, 2));
    container.append(this.renderer.domElement);
    this.scene = new THREE.Scene();
    this.scene.background = new THREE.Color(0xeef0f4);
    this.camera = new THREE.PerspectiveCamera(40, 1, 0.001, 100);
    this.scene.add(new THREE.HemisphereLight(0xffffff, 0x8a8f99, 1.6));
    const key = new THREE.DirectionalLight(0xffffff, 1.8);
    key.position.set(0.4, 1, 0.6);
    this.camera.add(key);  // a head light: the lit side follows the view
    this.scene.add(this.camera);
    const fill = new THREE.DirectionalLight(0xffffff, 0.6);
    fill.position.set(-1, 0.5, -0.8);
    this.scene.add(fill);
    this.controls = new OrbitControls(this.camera, this.renderer.domElement);
    this.controls.addEventListener('change', () => this.render());
    this.content = null;
    new ResizeObserver(() => this.resize()).observe(container);
    this.resize();
  }

  resize() {
    const w = Math.max(1, this.container.clientWidth), h = Math.max(1, this.container.clientHeight);
    this.renderer.setSize(w, h, false);
    this.camera.aspect = w / h;
    this.camera.updateProjectionMatrix();
    this.render();
  }

  setContent(object3d) {
    if (this.content) this.scene.remove(this.content);
    this.content = object3d;
    if (object3d) this.scene.add(object3d);
    this.render();
  }

  // Frames the visible content, looking along -dir (default: from front-right, slightly above).
  fit(dir) {
    if (!this.content) return;
    const box = new THREE.Box3();
    this.content.updateMatrixWorld(true);
    this.content.traverseVisible((o) => { if (o.isMesh || o.isLine || o.isLineSegments) box.expandByObject(o); });
    if (box.isEmpty()) box.setFromObject(this.content);
    const sphere = box.getBoundingSphere(new THREE.Sphere());
    const r = Math.max(sphere.radius, 1e-3);
    const dist = r / Math.sin(THREE.MathUtils.degToRad(this.camera.fov / 2)) * 1.05;
    dir = (dir || new THREE.Vector3(0.9, 0.65, 1.2)).clone().normalize();
    this.controls.target.copy(sphere.center);
    this.camera.position.copy(sphere.center).addScaledVector(dir, dist);
    this.camera.near = dist / 100;
    this.camera.far = dist * 100;
    this.camera.updateProjectionMatrix();
    this.controls.update();
    this.render();
  }

  render() { this.renderer.render(this.scene, this.camera); }
}

// A .glb is stored in the page as {json: its JSON chunk, bin: index of its BIN chunk in data.bins}
// (grasps of one file share one BIN chunk); rebuild the exact file bytes.
const binCache = new Map();
function glbBytes(data, entry) {
  const js = new TextEncoder().encode(entry.json);
  let bin = null;
  if (entry.bin !== null && entry.bin !== undefined) {
    if (!binCache.has(entry.bin)) binCache.set(entry.bin, new Uint8Array(decodeBase64(data.bins[entry.bin])));
    bin = binCache.get(entry.bin);
  }
  const total = 20 + js.length + (bin ? 8 + bin.length : 0);
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, 0x46546c67, true);  // "glTF"
  dv.setUint32(4, 2, true);
  dv.setUint32(8, total, true);
  dv.setUint32(12, js.length, true);
  dv.setUint32(16, 0x4e4f534a, true);  // "JSON"
  out.set(js, 20);
  if (bin) {
    dv.setUint32(20 + js.length, bin.length, true);
    dv.setUint32(24 + js.length, 0x004e4942, true);  // "BIN"
    out.set(bin, 28 + js.length);
  }
  return out;
}

function parseGlb(data, entry) {
  return new Promise((resolve, reject) => {
    new GLTFLoader().parse(glbBytes(data, entry).buffer, '', (gltf) => resolve(gltf.scene), reject);
  });
}

function kindOf(o) { return o.userData && o.userData.kind; }

function buildLayout(data) {
  document.head.append(el('style', { text: css }));
  const side = el('aside', { id: 'gq-side' });
  const toolbar = el('div', { id: 'gq-toolbar' });
  const view = el('div', { id: 'gq-view' });
  const info = el('div', { id: 'gq-info' });
  const app = el('div', { id: 'gq-app' }, side,
    el('main', { id: 'gq-main' }, toolbar, el('div', { id: 'gq-body' }, view, info)));
  document.body.append(app);
  view.append(el('div', { class: 'gq-hint', text: 'drag: orbit · right-drag: pan · wheel: zoom' + (data.mode === 'grasps' ? ' · ←/→: previous/next grasp' : '') }));
  return { side, toolbar, view, info };
}

// Notes from the writer (selection capped, meshes simplified, hand load warnings): folded when many.
function notes(list) {
  if (!list || !list.length) return null;
  const items = list.map((n) => el('div', { class: 'gq-notes', text: n }));
  if (list.length <= 2) return el('div', {}, ...items);
  return el('details', {}, el('summary', { class: 'gq-notes', text: `${list.length} notes` }), ...items);
}

function toggle(toolbar, label, checked, onchange, title) {
  const input = el('input', { type: 'checkbox' });
  input.checked = checked;
  input.addEventListener('change', () => onchange(input.checked));
  const l = el('label', title ? { title } : {}, input, ' ' + label);
  toolbar.append(l);
  return input;
}

async function grasps(data, ui, viewer) {
  const toggles = { hand: true, object: true, xray: false, contacts: true, cones: !!data.cones, pregrasp: false, squeeze: false };
  const cache = new Map();
  let current = -1;

  ui.side.append(el('header', {},
    el('h1', { text: `${data.hand} · ${data.object_name}` }),
    el('div', { class: 'meta', text: `${data.grasps.length} of ${data.n_grasps_in_file} grasps · type ${data.grasp_type} · energy ${data.energy_name}` }),
    el('div', { class: 'meta', text: data.file }),
    data.eval_file ? el('div', { class: 'meta', text: 'evaluation: ' + data.eval_file }) : null,
    notes(data.notes)));
  const list = el('div', { id: 'gq-list' });
  ui.side.append(list);
  const cards = data.grasps.map((g, i) => {
    const badge = g.success === true ? el('span', { class: 'gq-badge ok', text: 'success' })
      : g.success === false ? el('span', { class: 'gq-badge fail', text: 'fail' }) : null;
    const c = el('div', { class: 'gq-card', 'data-index': g.index, onclick: () => select(i) },
      el('span', { class: 'idx', text: '#' + g.index }), el('span', { class: 'en', text: 'E ' + fmt(g.energy) }), badge);
    list.append(c);
    return c;
  });

  function apply() {
    const s = cache.get(current);
    if (!s) return;
    s.traverse((o) => {
      const k = kindOf(o);
      if (k === 'link') o.visible = toggles.hand;
      else if (k === 'object') o.visible = toggles.object;
      else if (k === 'contact') o.visible = toggles.contacts;
      else if (k === 'pregrasp_link') o.visible = toggles.pregrasp;
      else if (k === 'squeeze_link') o.visible = toggles.squeeze;
      if (o.isMesh && o.material && o.material.name === 'object') {
        o.material.transparent = toggles.xray;
        o.material.opacity = toggles.xray ? 0.35 : 1;
        o.material.depthWrite = true;  // self-occluding: reads better than a sorted-less see-through mesh
        o.material.needsUpdate = true;
      }
      if (o.isMesh && o.material && o.material.name === 'cone') o.visible = toggles.cones;
    });
    viewer.render();
  }

  const inputs = {
    hand: toggle(ui.toolbar, 'Hand', toggles.hand, (v) => { toggles.hand = v; apply(); }),
    object: toggle(ui.toolbar, 'Object', toggles.object, (v) => { toggles.object = v; apply(); }),
    xray: toggle(ui.toolbar, 'X-ray', toggles.xray, (v) => { toggles.xray = v; apply(); }, 'Show the object semi-transparent'),
    contacts: toggle(ui.toolbar, 'Contacts', toggles.contacts, (v) => { toggles.contacts = v; apply(); }),
    cones: toggle(ui.toolbar, 'Friction cones', toggles.cones, (v) => { toggles.cones = v; apply(); },
      data.cones ? `Cones of half-angle atan(${data.friction}) along the contact force, into the object` : 'Write the page with --cones to include them'),
    pregrasp: toggle(ui.toolbar, 'Pregrasp', toggles.pregrasp, (v) => { toggles.pregrasp = v; apply(); },
      data.poses ? 'The stored pregrasp: the hand opened away from the object (blue)' : 'This grasp file stores no pregrasp'),
    squeeze: toggle(ui.toolbar, 'Squeeze', toggles.squeeze, (v) => { toggles.squeeze = v; apply(); },
      data.poses ? 'The stored squeeze: the hand closed into the object (red)' : 'This grasp file stores no squeeze'),
  };
  inputs.pregrasp.disabled = !data.poses;
  inputs.squeeze.disabled = !data.poses;
  inputs.cones.disabled = !data.cones;
  ui.toolbar.append(el('button', { text: 'Reset view', onclick: () => viewer.fit(viewDir()) }));
  ui.toolbar.append(el('button', { text: '◀', title: 'Previous grasp', onclick: () => step(-1) }));
  ui.toolbar.append(el('button', { text: '▶', title: 'Next grasp', onclick: () => step(1) }));

  function showInfo(g) {
    const n = g.contacts.length;
    ui.info.replaceChildren(
      el('h2', { text: `Grasp #${g.index}` }),
      el('div', { class: 'meta', text: g.file }),
      el('h3', { text: 'Energy' }),
      table([['total', g.energy], ...data.term_names.map((name, k) => [name, g.terms[k]])]),
    );
    if (Object.keys(g.eval || {}).length) {
      ui.info.append(el('h3', { text: 'Evaluation' }),
        table(Object.entries(g.eval).map(([k, v]) => [k, k === 'success' && v !== null ? (v > 0.5 ? 'yes' : 'no') : v])));
    } else {
      ui.info.append(el('h3', { text: 'Evaluation' }), el('div', { class: 'meta', text: 'not evaluated (no .eval.h5 file)' }));
    }
    if (Object.keys(g.extra || {}).length) ui.info.append(el('h3', { text: 'Flags' }), table(Object.entries(g.extra)));
    ui.info.append(el('h3', { text: `Contacts (${n})` }),
      el('div', { class: 'gq-legend' }),
      el('div', { class: 'gq-legend-labels' }, el('span', { text: 'no force' }), el('span', { text: 'equal share' }), el('span', { text: '≥ 2× equal' })),
      table(g.contacts.map((c) => [c.index, el('span', {}, el('span', { class: 'gq-swatch', style: `background:${shareColor(c.share, n)}` }), c.link), c.force, c.share === null ? '–' : (100 * c.share).toFixed(1) + '%']),
        ['#', 'link', 'force', 'share']));
  }

  async function select(i) {
    if (i < 0 || i >= data.grasps.length) return;
    const g = data.grasps[i];
    current = i;
    cards.forEach((c, k) => c.classList.toggle('selected', k === i));
    cards[i].scrollIntoView({ block: 'nearest' });
    showInfo(g);
    if (!cache.has(i)) cache.set(i, await parseGlb(data, g.glb));
    if (current !== i) return;
    viewer.setContent(cache.get(i));
    apply();
    viewer.fit(viewDir());  // every grasp framed from the side of its own hand-object axis
    if (history.replaceState) history.replaceState(null, '', '#grasp=' + g.index);
  }
  // Look from the side of the hand-object axis, a little from above, so both stay in view.
  function viewDir() {
    const s = cache.get(current);
    if (!s) return undefined;
    const hand = new THREE.Box3(), obj = new THREE.Box3();
    s.updateMatrixWorld(true);
    s.traverse((o) => {
      if (!o.isMesh) return;
      let p = o, k;
      while (p && !(k = kindOf(p))) p = p.parent;
      if (k === 'link') hand.expandByObject(o);
      else if (k === 'object') obj.expandByObject(o);
    });
    if (hand.isEmpty() || obj.isEmpty()) return undefined;
    const up = new THREE.Vector3(0, 1, 0);
    const d = hand.getCenter(new THREE.Vector3()).sub(obj.getCenter(new THREE.Vector3()));
    if (d.length() < 1e-6) return undefined;
    d.normalize();
    const side = new THREE.Vector3().crossVectors(up, d);
    if (side.length() < 0.2) side.set(1, 0, 0);
    return side.normalize().addScaledVector(up, 0.5).addScaledVector(d, 0.25);
  }
  function step(d) { select(Math.min(data.grasps.length - 1, Math.max(0, current + d))); }

  window.addEventListener('keydown', (e) => {
    if (e.target && (e.target.tagName === 'INPUT' || e.target.tagName === 'SELECT')) return;
    if (e.key === 'ArrowRight' || e.key === 'ArrowDown' || e.key === 'j') { step(1); e.preventDefault(); }
    else if (e.key === 'ArrowLeft' || e.key === 'ArrowUp' || e.key === 'k') { step(-1); e.preventDefault(); }
    else if (e.key === 'r') viewer.fit(viewDir());
  });

  const m = /grasp=(\d+)/.exec(location.hash);
  const start = m ? Math.max(0, data.grasps.findIndex((g) => g.index === Number(m[1]))) : 0;
  await select(start);
  return {
    select: (index) => select(data.grasps.findIndex((g) => g.index === index)),
    set: (name, value) => { toggles[name] = value; if (inputs[name]) inputs[name].checked = value; apply(); },
    current: () => data.grasps[current].index,
    glb: (index) => glbBytes(data, data.grasps[data.grasps.findIndex((g) => g.index === index)].glb),
  };
}

async function hand(data, ui, viewer) {
  const toggles = { links: true, link_frames: false, axes: true, spheres: true, normals: true, type: data.grasp_types.length ? data.grasp_types[0].name : '' };
  ui.side.append(el('header', {},
    el('h1', { text: `Hand ${data.hand}` }),
    el('div', { class: 'meta', text: `${data.links} links · ${data.dof} joints · ${data.spheres} collision spheres` }),
    el('div', { class: 'meta', text: data.directory }),
    notes(data.notes)));
  const list = el('div', { id: 'gq-list' });
  ui.side.append(list);
  list.append(el('div', { class: 'gq-card' }, el('b', { text: 'Grasp types' })));
  for (const t of data.grasp_types) list.append(el('div', { class: 'gq-card', onclick: () => { select.value = t.name; toggles.type = t.name; apply(); } },
    el('span', { class: 'en', text: t.name }), el('span', { text: `${t.candidates} candidates` })));

  const scene = await parseGlb(data, data.glb);
  function apply() {
    scene.traverse((o) => {
      const k = kindOf(o);
      if (k === 'link') o.visible = toggles.links;
      else if (k === 'link_frames') o.visible = toggles.link_frames;
      else if (k === 'axes') o.visible = toggles.axes;
      else if (k === 'spheres') o.visible = toggles.spheres;
      else if (k === 'candidates') o.visible = toggles.type === '*' || o.userData.grasp_type === toggles.type;
      else if (k === 'normals') o.visible = toggles.normals && (toggles.type === '*' || o.userData.grasp_type === toggles.type);
    });
    viewer.render();
  }
  const inputs = {
    links: toggle(ui.toolbar, 'Links', toggles.links, (v) => { toggles.links = v; apply(); }),
    spheres: toggle(ui.toolbar, 'Collision spheres', toggles.spheres, (v) => { toggles.spheres = v; apply(); }),
    axes: toggle(ui.toolbar, 'Axes', toggles.axes, (v) => { toggles.axes = v; apply(); }),
    link_frames: toggle(ui.toolbar, 'Link frames', toggles.link_frames, (v) => { toggles.link_frames = v; apply(); }),
    normals: toggle(ui.toolbar, 'Normals', toggles.normals, (v) => { toggles.normals = v; apply(); }),
  };
  const select = el('select', { onchange: () => { toggles.type = select.value; apply(); } },
    ...data.grasp_types.map((t) => el('option', { value: t.name, text: `${t.name} (${t.candidates})` })),
    el('option', { value: '*', text: 'all types' }), el('option', { value: '', text: 'none' }));
  select.value = toggles.type;
  ui.toolbar.append(el('label', {}, 'Candidates ', select));
  ui.toolbar.append(el('button', { text: 'Reset view', onclick: () => viewer.fit() }));

  ui.info.append(el('h2', { text: `Hand ${data.hand}` }),
    el('h3', { text: 'Axes' }),
    el('div', { class: 'gq-axes' },
      el('span', {}, el('span', { class: 'gq-swatch', style: 'background:#f00' }), 'x'),
      el('span', {}, el('span', { class: 'gq-swatch', style: 'background:#0f0' }), 'y'),
      el('span', {}, el('span', { class: 'gq-swatch', style: 'background:#00f' }), 'z (base)')),
    el('div', { class: 'gq-axes' },
      el('span', {}, el('span', { class: 'gq-swatch', style: 'background:#f0f' }), 'approach'),
      el('span', {}, el('span', { class: 'gq-swatch', style: 'background:#0ff' }), 'up'),
      el('span', {}, el('span', { class: 'gq-swatch', style: 'background:#ff0' }), 'grasp')),
    el('h3', { text: 'Default pose' }),
    table(data.joints.map((j) => [j.name, j.value]), ['joint', 'value']),
    el('h3', { text: 'Links' }),
    table(data.link_list.map((l) => [l.name, l.geometry || 'none']), ['link', 'mesh']));

  viewer.setContent(scene);
  apply();
  viewer.fit();
  return {
    set: (name, value) => {
      toggles[name] = value;
      if (inputs[name]) inputs[name].checked = value;
      if (name === 'type') select.value = value;
      apply();
    },
    glb: () => glbBytes(data, data.glb),
  };
}

async function main() {
  const node = document.getElementById('graspqp-data');
  if (!node) throw new Error('graspqp viewer: no #graspqp-data element in the page');
  const data = JSON.parse(node.textContent);
  const ui = buildLayout(data);
  let viewer;
  try {
    viewer = new Viewer(ui.view);
  } catch (e) {
    ui.view.append(el('div', { class: 'gq-error', text: 'WebGL is not available in this browser: ' + e.message }));
    throw e;
  }
  const api = data.mode === 'hand' ? await hand(data, ui, viewer) : await grasps(data, ui, viewer);
  viewer.render();
  window.graspqp = { ...api, viewer, data, threeVersion: VERSION, fit: () => viewer.fit() };
  document.documentElement.dataset.graspqpReady = '1';
}

main().catch((e) => {
  console.error('graspqp viewer:', e);
  document.documentElement.dataset.graspqpError = String(e && e.message || e);
});
