import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFlowSet } from '../../src/flows/flow-set.js';
import { parseFlowFile } from '../../src/flows/loader.js';
import type { FlowProblem } from '../../src/flows/problems.js';
import { createTestActions } from './test-actions.js';

const fixtures = join(import.meta.dirname, 'fixtures');
const BROKEN_SYNTAX = 'id: syntax\nsteps:\n  one:\n    say: "unterminated\n  two: [\n';
const brief = (p: FlowProblem) => `${basename(p.file)}:${p.line}:${p.column}: ${p.severity}: ${p.message}`;

describe('loading a good flow folder', () => {
  it('loads every top-level flow with settings and step positions, ignoring subfolders', async () => {
    const result = await loadFlowSet(join(fixtures, 'good'), createTestActions());
    if (!result.ok) throw new Error(result.problems.map(brief).join('\n'));
    expect([...result.flowSet.flows.keys()].sort()).toEqual(['events', 'newsletter', 'service', 'welcome']);
    expect(result.flowSet.settings.on_too_many_misses).toBe('service.offer_person');
    expect(result.warnings).toEqual([]);
    const welcome = result.flowSet.flows.get('welcome');
    expect(welcome?.file).toBe(join(fixtures, 'good', 'welcome.yaml'));
    expect(welcome?.stepPositions).toEqual({
      greet: { line: 10, column: 3 },
      menu: { line: 15, column: 3 },
      question: { line: 30, column: 3 },
    });
  });
});

describe('a broken flow folder', () => {
  it('reports every problem in every file with its line:column, sorted', async () => {
    // The file with a YAML syntax error is written here: the repository's formatter would choke on it.
    const dir = mkdtempSync(join(tmpdir(), 'plausch-flows-'));
    cpSync(join(fixtures, 'broken'), dir, { recursive: true });
    writeFileSync(join(dir, 'syntax.yaml'), BROKEN_SYNTAX);
    const result = await loadFlowSet(dir, createTestActions());
    rmSync(dir, { recursive: true, force: true });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map(brief)).toEqual([
      'dupe.yaml:5:5: error: duplicate key "say": each key may appear only once in a block',
      'greeting.yaml:10:16: error: flow "shop" has no step "checkout"',
      'settings.yaml:3:21: error: no flow "sevice"',
      'shop.yaml:3:25: error: keyword "kaffee" (de) is already a trigger of flow "greeting" (greeting.yaml:5:10)',
      'shop.yaml:7:7: error: missing translation for en: add "en:" or write one text for every locale',
      'shop.yaml:10:15: error: no step "espreso" in flow "shop"',
      'shop.yaml:11:22: warning: button label "Filterkaffee und andere Sorten" has 30 characters; WhatsApp Cloud and Messenger cut it after 20',
      'shop.yaml:13:5: error: unknown key "nxt" (did you mean "next"?)',
      'shop.yaml:16:20: error: newsletter.request: "topic": expected a text, got number 42',
      'shop.yaml:19:7: error: action "newsletter.request" has no outcome "subscribed"; its outcomes: pending, already, unknown_topic',
      'shop.yaml:21:16: error: placeholder {{user.name}}: "user.name" starts with neither "vars.", "contact." nor "visit."',
      'shop.yaml:21:71: error: unknown locale "fr"; settings.locales has de, en',
      'shop.yaml:23:13: error: unknown action "coffee.brew"; known actions: events.list, events.remind, events.show, faq.answer, handoff, newsletter.confirm, newsletter.request',
      'syntax.yaml:6:1: error: YAML syntax: a text in quotes is not closed: add the closing quote at its end',
    ]);
  });
});

describe('parseFlowFile', () => {
  const parse = (text: string) => parseFlowFile(text, 'flows/x.yaml').problems.map(brief);

  it('suggests the closest allowed key for an unknown one, at the key', () => {
    expect(parse('id: x\nsteps:\n  a:\n    say: Hallo\n    buttns:\n      - label: Ja\n')).toEqual([
      'x.yaml:5:5: error: unknown key "buttns" (did you mean "buttons"?)',
    ]);
  });

  it('lists the allowed keys when nothing is close', () => {
    const [problem] = parse('id: x\nsteps:\n  a:\n    say: Hallo\n    zzzzzz: 1\n');
    expect(problem).toMatch(
      /^x\.yaml:5:5: error: unknown key "zzzzzz"; allowed here: note, set, action, with, on, say/,
    );
  });

  it('points at misspelt values with a suggestion and at badly named steps', () => {
    expect(parse('id: x\nsteps:\n  Frage:\n    ask: Wie heißt du?\n    expect: emial\n')).toEqual([
      'x.yaml:3:3: error: "Frage": a step name must start with a lowercase letter and use only a-z, 0-9, _ and -',
      'x.yaml:5:13: error: "expect": must be one of text, email, number, phone, date, yes_no, choice (did you mean "email"?)',
    ]);
  });

  it('explains a comma inside an unquoted { … } text', () => {
    const [problem] = parse('id: x\nsteps:\n  a:\n    say: { de: Ja, bitte, en: Yes }\n');
    expect(problem).toContain(
      'x.yaml:4:20: error: "bitte": locale keys look like de, en or de-AT; if this is part of a text, put the whole text in quotes',
    );
  });

  it('reports a missing required key and a wrong type in plain words', () => {
    expect(parse('title: Ohne Id\nsteps:\n  a:\n    say: 5\n')).toEqual([
      'x.yaml:1:1: error: missing required key "id"',
      'x.yaml:4:10: error: "say": expected a text, a block of "key: value" lines or a list ("- " items), got number 5',
    ]);
  });

  it('points a refinement at the key it is about', () => {
    expect(parse('id: x\nsteps:\n  a:\n    say: Hallo\n    with: { topic: kaffee }\n')).toEqual([
      'x.yaml:5:5: error: "with" needs an "action"',
    ]);
  });

  it('says clearly when a YAML file is not a flow at all', () => {
    expect(parse('min_accuracy: 0.9\nitems: []\n')).toEqual([
      'x.yaml:1:1: error: this is not a flow (no "id:" and no "steps:"); other YAML files (knowledge base, tests, evaluations) belong in a subfolder such as faq/ or tests/',
    ]);
    expect(parse('')).toEqual([
      'x.yaml:1:1: error: the file is empty: a flow file holds one flow with "id:" and "steps:"',
    ]);
  });

  it('reports a YAML syntax error with its position', () => {
    const problems = parse('id: x\nsteps:\n  a:\n    say: [Hallo\n');
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]).toMatch(/^x\.yaml:\d+:\d+: error: YAML syntax: /);
  });
});
