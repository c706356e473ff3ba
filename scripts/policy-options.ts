// The command-line options that say how to open a learned policy (shared by run, sweep and
// serve-policy), and their translation into the library's PolicyOpenOptions.
import { Command, InvalidArgumentError, Option } from 'commander';
import { ONNX_DEVICES, type OnnxDevice } from '../policies/onnx-model.ts';
import { PRESETS, loadPreset, type ObsPreset } from '../policies/obs-preset.ts';
import { PolicyError } from '../policies/policy-error.ts';
import type { PolicyOpenOptions } from '../policies/registry.ts';

export interface PolicyCliOptions {
  device: OnnxDevice;
  policyTimeout: number;
  apiKey?: string;
  preset: string;
  execute?: number;
  ensemble?: number;
  onnxThreads?: number;
}

function positive(name: string, integer: boolean) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) throw new InvalidArgumentError(`${name} must be a ${integer ? 'whole ' : ''}number > 0, got "${v}"`);
    return n;
  };
}

/** Add the learned-policy options to a command. */
export function addPolicyOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--device <d>', 'ONNX execution provider; auto tries the manifest\'s GPU providers and falls back to CPU, saying why').choices([...ONNX_DEVICES]).default('auto'))
    .option('--onnx-threads <n>', 'ONNX on CPU: onnxruntime intra-op threads (default: one per core; 1 when each process should keep to one core)', positive('--onnx-threads', true))
    .option('--policy-timeout <ms>', 'remote policies: per-call timeout (a late reply fails the step with policy_error)', positive('--policy-timeout', true), 30000)
    .option('--api-key <key>', 'remote policies: API key sent as "Authorization: Api-Key <key>" (default: $CHAINGAP_API_KEY)')
    .option('--preset <name|file.json>', `remote policies and serve-policy: observation keys and state layout (${Object.keys(PRESETS).join(', ')}, or a JSON file)`, 'libero')
    .option('--execute <n>', 'learned policies: actions executed from each chunk before asking again (default: the manifest\'s; 5 for remote)', positive('--execute', true))
    .option('--ensemble <decay>', 'learned policies: temporal ensembling (ACT) with this decay; asks the model every step', (v: string) => {
      const n = Number(v);
      if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`--ensemble must be a number >= 0, got "${v}"`);
      return n;
    });
}

/** The observation preset a `--preset` value names (a shipped name or a JSON file). */
export function presetOption(v: string): ObsPreset {
  try {
    return loadPreset(v);
  } catch (e) {
    if (e instanceof PolicyError) throw new InvalidArgumentError(`--preset: ${e.message}`);
    throw e;
  }
}

export function policyOptionsFrom(o: PolicyCliOptions): PolicyOpenOptions {
  return {
    device: o.device, timeoutMs: o.policyTimeout, apiKey: o.apiKey ?? process.env.CHAINGAP_API_KEY, preset: presetOption(o.preset),
    ...(o.execute !== undefined ? { execute: o.execute } : {}),
    ...(o.ensemble !== undefined ? { ensembleDecay: o.ensemble } : {}),
    ...(o.onnxThreads !== undefined ? { threads: o.onnxThreads } : {}),
  };
}
