import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFlowSet } from '../../src/flows/flow-set.js';
import { flowToMermaid, UnknownFlowError } from '../../src/flows/mermaid.js';
import type { FlowSet } from '../../src/flows/schema.js';
import { createTestActions } from './test-actions.js';

async function goodSet(): Promise<FlowSet> {
  const result = await loadFlowSet(join(import.meta.dirname, 'fixtures', 'good'), createTestActions());
  if (!result.ok) throw new Error('the good fixture must load');
  return result.flowSet;
}

describe('flowToMermaid', () => {
  it('draws steps with their first words, labelled edges for outcomes, branches and buttons, and an end', async () => {
    const graph = flowToMermaid(await goodSet(), 'newsletter', createTestActions());
    const lines = graph.trim().split('\n');
    expect(lines[0]).toBe('flowchart TD');
    expect(lines).toContain('  step0_offer("offer<br/>Möchtest du den Newsletter bekommen?")');
    expect(lines).toContain('  step1_request["request<br/>⚙ newsletter.request"]');
    expect(lines).toContain('  flow_start --> step0_offer');
    expect(lines).toContain('  step0_offer -->|"vars.wants_newsletter = true"| step1_request');
    expect(lines).toContain('  step0_offer -->|"else"| step5_bye');
    expect(lines).toContain('  step1_request -->|"pending"| step2_confirm');
    expect(lines).toContain('  step1_request -->|"unknown_topic"| step5_bye');
    expect(lines).toContain('  step2_confirm -->|"Ja, bitte"| step3_confirmed');
    expect(lines).toContain('  step3_confirmed --> end_node');
    expect(lines).toContain('  end_node(("end"))');
    // Every outcome of newsletter.request has a target, so there is no "otherwise" edge out of request.
    expect(lines.filter((line) => line.startsWith('  step1_request -->'))).toHaveLength(3);
  });

  it('draws jumps into other flows as a distinct node shape, including jump payloads', async () => {
    const graph = flowToMermaid(await goodSet(), 'welcome');
    expect(graph).toContain('  step1_menu -->|"Newsletter"| flow0_newsletter\n');
    expect(graph).toContain('  step1_menu -->|"Röstkurse"| flow1_events_detail\n');
    expect(graph).toContain('  step1_menu -->|"Frage stellen"| step2_question\n');
    expect(graph).toContain('  flow0_newsletter[["→ newsletter"]]\n');
    expect(graph).toContain('  flow1_events_detail[["→ events.detail"]]\n');
    // The link button sends nothing back: no edge for it.
    expect(graph).not.toContain('Zum Shop');
  });

  it('escapes quotes in labels and rejects an unknown flow id clearly', async () => {
    const flowSet = await goodSet();
    expect(() => flowToMermaid(flowSet, 'welcom')).toThrow(UnknownFlowError);
    expect(() => flowToMermaid(flowSet, 'welcom')).toThrow(
      'no flow "welcom"; known flows: events, newsletter, service, welcome',
    );
    const graph = flowToMermaid(flowSet, 'events');
    expect(graph).toContain('step4_remind -->|"vars.remind = true and vars.event_id is set"| step5_schedule');
    expect(graph).not.toMatch(/\["[^\]]*"[^\]]*"\]/);
  });
});
