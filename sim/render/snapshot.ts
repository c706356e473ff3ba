// Rendering a scene as it is after a seeded reset, without running a task: what `chaingap render` does.
import { findScene } from '../../scenes/load.ts';
import type { SceneSpec, TaskSpec } from '../../scenes/types.ts';
import { Env } from '../env.ts';
import type { CameraImage } from '../policy.ts';
import { RayRenderer, type RendererOptions } from './renderer.ts';

export interface SnapshotOptions {
  scene: string | SceneSpec;
  seed: number;
  /** Which cameras to render. */
  cameras: string[];
  renderer?: RendererOptions;
  /** A task whose fixture init to apply (default: none; drawers and doors closed, buttons off). */
  task?: TaskSpec;
}

export async function renderSnapshot(o: SnapshotOptions): Promise<{ images: Record<string, CameraImage>; segmentationNames: Map<number, string> }> {
  const scene = typeof o.scene === 'string' ? findScene(o.scene) : o.scene;
  const renderer = new RayRenderer(o.renderer);
  const env = new Env({ renderer, cameras: o.cameras });
  try {
    // A task that asks for nothing: the goal is an empty conjunction.
    const task: TaskSpec = o.task ?? { name: 'render', scene: scene.name, type: 'pick_place', instruction: '', paraphrases: [], init: [], goal: ['And'], maxSteps: 1, objectsOfInterest: [] };
    const { obs } = await env.reset({ seed: o.seed, task, scene });
    return { images: obs.images!, segmentationNames: new Map(renderer.segmentationNames) };
  } finally {
    env.close();
  }
}
