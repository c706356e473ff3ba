// One three.js view of a track: the viewer scene's primitives as meshes (Rapier's shape conventions:
// cylinders and capsules along local y), grouped by the body that carries them, under the reset's
// lights (each casting shadows, as in chaingap's renderer) and seen first from its agentview camera.
// Colours are shown as the renderer shows them (no sRGB conversion), so the two look alike.
import * as THREE from 'three';
import { OrbitControls } from 'three/addons/controls/OrbitControls.js';
import type { ViewerPrim, ViewerScene } from '../sim/viewer-scene.ts';
import type { Track } from './track.ts';

const rgb = (c: readonly number[]) => new THREE.Color().setRGB(c[0], c[1], c[2], THREE.LinearSRGBColorSpace);

const TEXTURE_CODE = { none: 0, checker: 1, stripes: 2, noise: 3 } as const;

/**
 * The renderer's procedural textures (sim/render/kernel.ts textureWeight) on a Phong material: the
 * weight between the base and second colour from the world position, cells of `texScale` metres.
 */
function texturedMaterial(p: ViewerPrim, base: THREE.MeshPhongMaterial): THREE.MeshPhongMaterial {
  if (p.texture === 'none') return base;
  const uniforms = { uKind: { value: TEXTURE_CODE[p.texture] }, uScale: { value: p.texScale }, uColor2: { value: rgb(p.color2) } };
  base.onBeforeCompile = (sh) => {
    Object.assign(sh.uniforms, uniforms);
    sh.vertexShader = sh.vertexShader
      .replace('#include <common>', '#include <common>\nvarying vec3 vCgWorld;')
      .replace('#include <begin_vertex>', '#include <begin_vertex>\nvCgWorld = (modelMatrix * vec4(transformed, 1.0)).xyz;');
    sh.fragmentShader = sh.fragmentShader
      .replace('#include <common>', `#include <common>
varying vec3 vCgWorld;
uniform float uKind; uniform float uScale; uniform vec3 uColor2;
float cgHash(float gx, float gy) { return fract(abs(sin(gx * 127.1 + gy * 311.7) * 43758.5453)); }
float cgWeight(vec3 q) {
  if (uKind < 1.5) { float s = floor(q.x / uScale) + floor(q.y / uScale) + floor(q.z / uScale); return s - 2.0 * floor(s / 2.0); }
  if (uKind < 2.5) { float s = floor((q.x + q.y) / uScale); return s - 2.0 * floor(s / 2.0); }
  float gx = floor(q.x / uScale), gy = floor(q.y / uScale), fx = q.x / uScale - gx, fy = q.y / uScale - gy;
  float sx = fx * fx * (3.0 - 2.0 * fx), sy = fy * fy * (3.0 - 2.0 * fy);
  return mix(mix(cgHash(gx, gy), cgHash(gx + 1.0, gy), sx), mix(cgHash(gx, gy + 1.0), cgHash(gx + 1.0, gy + 1.0), sx), sy);
}`)
      .replace('#include <color_fragment>', '#include <color_fragment>\ndiffuseColor.rgb = mix(diffuseColor.rgb, uColor2, cgWeight(vCgWorld));');
  };
  base.customProgramCacheKey = () => `cg-texture-${p.texture}`;
  return base;
}

function geometry(p: ViewerPrim): THREE.BufferGeometry {
  const [a, b, c] = p.dims;
  switch (p.shape) {
    case 'box': return new THREE.BoxGeometry(2 * a, 2 * b, 2 * c);
    case 'sphere': return new THREE.SphereGeometry(a, 16, 12);
    case 'cylinder': return new THREE.CylinderGeometry(a, a, 2 * b, 20);
    case 'capsule': return new THREE.CapsuleGeometry(a, 2 * b, 4, 12);
  }
}

export class Stage {
  readonly renderer: THREE.WebGLRenderer;
  readonly camera: THREE.PerspectiveCamera;
  readonly controls: OrbitControls;
  private scene = new THREE.Scene();
  private bodies: THREE.Group[] = [];
  private readonly q0 = new THREE.Quaternion();
  private readonly q1 = new THREE.Quaternion();
  track: Track | null = null;

  constructor(readonly canvas: HTMLCanvasElement, onCameraChange?: () => void) {
    // No MSAA: software GL (headless Chromium, CI) pays for it on every pixel.
    this.renderer = new THREE.WebGLRenderer({ canvas, antialias: false, preserveDrawingBuffer: true });
    this.renderer.outputColorSpace = THREE.LinearSRGBColorSpace;
    this.renderer.shadowMap.enabled = true;
    this.renderer.shadowMap.type = THREE.BasicShadowMap;
    this.renderer.setPixelRatio(1);
    this.camera = new THREE.PerspectiveCamera(50, 1, 0.02, 20);
    this.camera.up.set(0, 0, 1);
    this.controls = new OrbitControls(this.camera, canvas);
    this.controls.addEventListener('change', () => { this.render(); onCameraChange?.(); });
  }

  /** Build the meshes of a track's scene and look through its agentview camera. */
  load(track: Track): void {
    this.track = track;
    const s: ViewerScene = track.scene;
    this.scene.traverse((o) => {
      const m = o as THREE.Mesh;
      if (m.isMesh) { m.geometry.dispose(); (m.material as THREE.Material).dispose(); }
    });
    this.scene = new THREE.Scene();
    this.scene.background = rgb(s.lighting.background);
    this.scene.add(new THREE.AmbientLight(rgb(s.lighting.ambient), Math.PI));
    // The key light (the first) casts shadows; the fill and an OOD extra light do not (a point light's
    // shadow is six more passes), unlike chaingap's renderer, where every light does.
    for (const [k, l] of s.lighting.lights.entries()) {
      const color = rgb(l.color);
      if (l.type === 'directional') {
        const d = new THREE.DirectionalLight(color, l.intensity * Math.PI);
        const n = Math.hypot(...l.vec);
        d.position.set(0.45 + 3 * l.vec[0] / n, 3 * l.vec[1] / n, 3 * l.vec[2] / n);
        d.target.position.set(0.45, 0, 0);
        d.castShadow = k === 0;
        d.shadow.mapSize.set(1024, 1024);
        Object.assign(d.shadow.camera, { left: -1.2, right: 1.2, top: 1.2, bottom: -1.2, near: 0.5, far: 8 });
        d.shadow.bias = -0.0005;
        this.scene.add(d, d.target);
      } else {
        const p = new THREE.PointLight(color, l.intensity * Math.PI, 0, 0);
        p.position.set(...l.vec);
        this.scene.add(p);
      }
    }
    this.bodies = Array.from({ length: s.bodies }, () => new THREE.Group());
    for (const g of this.bodies) this.scene.add(g);
    for (const p of s.prims) {
      const mat = texturedMaterial(p, new THREE.MeshPhongMaterial({ color: rgb(p.color), shininess: p.shininess || 1, specular: p.shininess > 0 ? rgb([0.25, 0.25, 0.25]) : rgb([0, 0, 0]) }));
      const mesh = new THREE.Mesh(geometry(p), mat);
      mesh.position.set(...p.pos);
      mesh.quaternion.set(...p.quat);
      mesh.castShadow = mesh.receiveShadow = true;
      mesh.name = p.name;
      (p.body >= 0 ? this.bodies[p.body] : this.scene).add(mesh);
    }
    this.resetCamera();
  }

  resetCamera(): void {
    const c = this.track?.scene.camera;
    if (!c) return;
    this.camera.fov = c.fovDeg;
    this.camera.position.set(...c.pos);
    this.controls.target.set(...c.target);
    this.camera.lookAt(this.controls.target);
    this.camera.updateProjectionMatrix();
    this.controls.update();
  }

  /** Copy another stage's viewpoint (side by side stays in step). */
  follow(o: Stage): void {
    this.camera.position.copy(o.camera.position);
    this.camera.fov = o.camera.fov;
    this.controls.target.copy(o.controls.target);
    this.camera.lookAt(this.controls.target);
    this.camera.updateProjectionMatrix();
  }

  /** Pose every body at `time` (control steps), between the recorded frames around it. */
  show(time: number): void {
    const tr = this.track;
    if (!tr || !tr.frames) return;
    const { i, j, alpha } = tr.locate(time);
    const a = tr.pose(i), b = tr.pose(j);
    this.bodies.forEach((g, k) => {
      const o = 7 * k;
      g.position.set(a[o] + (b[o] - a[o]) * alpha, a[o + 1] + (b[o + 1] - a[o + 1]) * alpha, a[o + 2] + (b[o + 2] - a[o + 2]) * alpha);
      this.q0.set(a[o + 3], a[o + 4], a[o + 5], a[o + 6]);
      this.q1.set(b[o + 3], b[o + 4], b[o + 5], b[o + 6]);
      g.quaternion.slerpQuaternions(this.q0, this.q1, alpha);
    });
  }

  resize(): void {
    const w = this.canvas.clientWidth, h = this.canvas.clientHeight;
    if (!w || !h) return;
    if (this.canvas.width !== w || this.canvas.height !== h) this.renderer.setSize(w, h, false);
    this.camera.aspect = w / h;
    this.camera.updateProjectionMatrix();
  }

  render(): void {
    this.resize();
    this.renderer.render(this.scene, this.camera);
  }

  /**
   * The drawn pixel (RGB 0-255) where the centre of the first mesh named `name` falls (the top face's
   * centre for a box: what a camera above sees), its colour in the scene spec, and the background's.
   */
  probe(name: string): { pixel: number[]; color: number[]; background: number[]; x: number; y: number } | null {
    let mesh: THREE.Mesh | null = null;
    this.scene.traverse((o) => { if (!mesh && (o as THREE.Mesh).isMesh && o.name === name) mesh = o as THREE.Mesh; });
    const m = mesh as THREE.Mesh | null;
    if (!m) return null;
    const box = new THREE.Box3().setFromObject(m);
    const c = box.getCenter(new THREE.Vector3());
    c.z = box.max.z;
    const v = c.clone().project(this.camera);
    const w = this.canvas.width, h = this.canvas.height;
    const x = Math.round(((v.x + 1) / 2) * (w - 1)), y = Math.round(((v.y + 1) / 2) * (h - 1));
    const gl = this.renderer.getContext();
    const px = new Uint8Array(4);
    gl.readPixels(x, y, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, px);
    const col = (m.material as THREE.MeshPhongMaterial).color;
    const bg = this.scene.background as THREE.Color;
    return { pixel: [px[0], px[1], px[2]], color: [col.r, col.g, col.b].map((k) => Math.round(255 * k)), background: [bg.r, bg.g, bg.b].map((k) => Math.round(255 * k)), x, y: h - 1 - y };
  }

  /** Number of meshes drawn and of moving bodies. */
  counts(): { meshes: number; bodies: number } {
    let meshes = 0;
    this.scene.traverse((o) => { if ((o as THREE.Mesh).isMesh) meshes++; });
    return { meshes, bodies: this.bodies.length };
  }
}
