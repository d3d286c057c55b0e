/**
 * Loads the sample flows for engine tests: `yaml.parse` + the flow schema, no cross-file validation.
 * Stands in until `loadFlowSet` of src/flows is ready; the validator has its own tests.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import {
  type FlowDefinition,
  type FlowSet,
  type FlowSettings,
  flowSchema,
  flowSettingsSchema,
  type LoadedFlow,
} from '../../../src/flows/schema.js';

export const SAMPLE_FLOWS_DIR = fileURLToPath(new URL('../../../flows', import.meta.url));

/** Files at the top of flows/ that are not flows. */
const NOT_FLOWS = /^(settings|.*-eval)\.ya?ml$/;

export function loadFlowDirectory(dir: string = SAMPLE_FLOWS_DIR): FlowSet {
  const settingsFile = join(dir, 'settings.yaml');
  let settingsText = '{}';
  try {
    settingsText = readFileSync(settingsFile, 'utf8');
  } catch {
    // defaults
  }
  const settings = flowSettingsSchema.parse(parse(settingsText) ?? {});
  const flows = readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name) && !NOT_FLOWS.test(name))
    .sort()
    .map((name) => {
      const file = join(dir, name);
      const result = flowSchema.safeParse(parse(readFileSync(file, 'utf8')));
      if (!result.success) throw new Error(`${file}: ${result.error.message}`);
      return { file, definition: result.data };
    });
  return buildFlowSet(flows, settings);
}

/** A flow set from flow objects written in a test. */
export function flowSetOf(
  flows: Array<Record<string, unknown>>,
  settings: Partial<Record<keyof FlowSettings, unknown>> = {},
): FlowSet {
  return buildFlowSet(
    flows.map((flow) => ({ file: `${String(flow.id)}.yaml`, definition: flowSchema.parse(flow) })),
    flowSettingsSchema.parse(settings),
  );
}

function buildFlowSet(
  flows: Array<{ file: string; definition: FlowDefinition }>,
  settings: FlowSettings,
): FlowSet {
  const map = new Map<string, LoadedFlow>();
  for (const { file, definition } of flows) {
    if (map.has(definition.id)) throw new Error(`flow ${definition.id} is defined twice`);
    map.set(definition.id, { definition, file, stepPositions: {} });
  }
  return { settings, flows: map, loadedAt: new Date(0) };
}
