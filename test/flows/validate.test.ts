import { basename } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadFlowSet } from '../../src/flows/flow-set.js';
import type { FlowProblem } from '../../src/flows/problems.js';
import { createTempFlowDir, SETTINGS, type TempFlowDir } from './temp-flows.js';
import { createTestActions } from './test-actions.js';

const brief = (p: FlowProblem) => `${basename(p.file)}:${p.line}:${p.column}: ${p.severity}: ${p.message}`;

let temp: TempFlowDir | undefined;
afterEach(() => temp?.remove());

/** Loads the given files (plus default settings) and returns every problem, errors and warnings. */
async function problemsOf(files: Record<string, string>): Promise<string[]> {
  temp = createTempFlowDir({ 'settings.yaml': SETTINGS, ...files });
  const result = await loadFlowSet(temp.dir, createTestActions());
  return (result.ok ? result.warnings : result.problems).map(brief);
}

describe('cross-file validation', () => {
  it('accepts a small correct set without problems', async () => {
    expect(await problemsOf({ 'a.yaml': 'id: a\nsteps:\n  hallo:\n    say: Hallo\n' })).toEqual([]);
  });

  it('warns about an unreachable step, at its key, and keeps loading', async () => {
    temp = createTempFlowDir({
      'settings.yaml': SETTINGS,
      'a.yaml': 'id: a\nsteps:\n  one:\n    say: Eins\n    end: true\n  two:\n    say: Zwei\n',
    });
    const result = await loadFlowSet(temp.dir, createTestActions());
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.warnings.map(brief)).toEqual([
      'a.yaml:6:3: warning: step "two" is never reached: no step, button or other flow leads to it',
    ]);
  });

  it('counts goto_flow, jump payloads and action arguments naming flow.step as ways in', async () => {
    const problems = await problemsOf({
      'a.yaml': [
        'id: a',
        'steps:',
        '  menu:',
        '    ask: Was darf es sein?',
        '    buttons:',
        '      - label: Kurse',
        '        payload: go:b.kurs?event=k1',
        '      - label: Termine',
        '        goto_flow: b.termine',
        '  list:',
        '    action: events.list',
        '    with: { detail: b.detail }',
        '',
      ].join('\n'),
      'b.yaml':
        'id: b\nsteps:\n  start:\n    say: Start\n  kurs:\n    say: Kurs\n  termine:\n    say: Termine\n  detail:\n    say: Detail\n',
    });
    expect(problems).toEqual([
      'a.yaml:10:3: warning: step "list" is never reached: no step, button or other flow leads to it',
    ]);
  });

  it('counts the next of a step whose buttons all jump elsewhere (an answer that is no button)', async () => {
    const problems = await problemsOf({
      'a.yaml': [
        'id: a',
        'steps:',
        '  clarify:',
        '    buttons:',
        '      - label: Nichts davon',
        '        goto: unknown',
        '    next: show',
        '  show:',
        '    say: Eintrag',
        '  unknown:',
        '    say: Weiß ich nicht',
        '',
      ].join('\n'),
    });
    expect(problems).toEqual([]);
  });

  it('finds an endless loop of steps that never wait', async () => {
    expect(
      await problemsOf({
        'a.yaml':
          'id: a\nsteps:\n  one:\n    say: Eins\n    next: two\n  two:\n    say: Zwei\n    goto: one\n',
      }),
    ).toEqual(['a.yaml:3:3: error: endless loop: one → two → one never waits for an answer']);
  });

  it('rejects duplicate flow ids and competing triggers across files', async () => {
    const problems = await problemsOf({
      'a.yaml':
        'id: a\ntriggers:\n  start: true\n  fallback: true\n  payloads: [MENU]\n  start_prefix: ref-\nsteps:\n  s:\n    say: A\n',
      'b.yaml':
        'id: b\ntriggers:\n  start: true\n  fallback: true\n  payloads: [MENU]\n  start_prefix: ref-\nsteps:\n  s:\n    say: B\n',
      'c.yaml': 'id: a\nsteps:\n  s:\n    say: C\n',
    });
    expect(problems).toEqual([
      'b.yaml:3:10: error: start: true is already set in flow "a" (a.yaml:3:10); only one flow greets new chats',
      'b.yaml:4:13: error: fallback: true is already set in flow "a" (a.yaml:4:13); only one flow catches what nothing else understood',
      'b.yaml:5:14: error: payload "MENU" is already a trigger of flow "a" (a.yaml:5:14)',
      'b.yaml:6:17: error: start_prefix "ref-" is already a trigger of flow "a" (a.yaml:6:17)',
      'c.yaml:1:5: error: flow id "a" is already used by a.yaml:1:5',
    ]);
  });

  it('matches keywords after normalization, per locale; a plain list claims every locale', async () => {
    const problems = await problemsOf({
      'a.yaml': 'id: a\ntriggers:\n  keywords: [Grüße]\nsteps:\n  s:\n    say: A\n',
      'b.yaml':
        'id: b\ntriggers:\n  keywords:\n    de: [hallo]\n    en: ["  GRUESSE! "]\nsteps:\n  s:\n    say: B\n',
      'c.yaml':
        'id: c\ntriggers:\n  keywords:\n    de: [Hallo, "!!"]\n    en: [hallo]\nsteps:\n  s:\n    say: C\n',
    });
    expect(problems).toEqual([
      'b.yaml:5:10: error: keyword "  GRUESSE! " (en) is already a trigger of flow "a" (a.yaml:3:14)',
      'c.yaml:4:10: error: keyword "Hallo" (de) is already a trigger of flow "b" (b.yaml:4:10)',
      'c.yaml:4:17: error: keyword "!!" has no letters or digits and can never match',
      'c.yaml:5:10: warning: keyword "hallo" is also a trigger of flow "b" (b.yaml:4:10) in another language; whoever writes it gets one of the two',
    ]);
  });

  it('checks jumps: steps, flows, flow.step, branch cases and buttons, with suggestions', async () => {
    const problems = await problemsOf({
      'a.yaml': [
        'id: a',
        'start: begin',
        'steps:',
        '  begin:',
        '    ask: Wie alt bist du?',
        '    expect: number',
        '    save: age',
        '    branch:',
        '      - when: { var: vars.age, gte: 18 }',
        '        goto: adult',
        '      - goto_flow: newsleter',
        '  adult:',
        '    say: Prima',
        '    buttons:',
        '      - label: Weiter',
        '        goto_flow: b.ende',
        '',
      ].join('\n'),
      'newsletter.yaml': 'id: newsletter\nsteps:\n  s:\n    say: N\n',
      'b.yaml': 'id: b\nsteps:\n  end:\n    say: B\n',
    });
    expect(problems).toEqual([
      'a.yaml:11:20: error: no flow "newsleter" (did you mean "newsletter"?)',
      'a.yaml:16:20: error: flow "b" has no step "ende" (did you mean "end"?)',
    ]);
  });

  it('accepts {{placeholders}} where an action expects a number, and still checks other arguments', async () => {
    const problems = await problemsOf({
      'a.yaml': [
        'id: a',
        'steps:',
        '  list:',
        '    action: events.list',
        '    with: { limit: "{{vars.count}}", topic: 7, detial: x }',
        '    on: { listed: done, nothing: done }',
        '  done:',
        '    say: Fertig',
        '',
      ].join('\n'),
    });
    expect(problems).toEqual([
      'a.yaml:5:45: error: events.list: "topic": expected a text, got number 7',
      'a.yaml:5:48: error: events.list: unknown key "detial" (did you mean "detail"?)',
      'a.yaml:6:25: error: action "events.list" has no outcome "nothing"; its outcomes: listed, none',
    ]);
  });

  it('points at the action when required arguments are missing entirely', async () => {
    expect(await problemsOf({ 'a.yaml': 'id: a\nsteps:\n  s:\n    action: newsletter.request\n' })).toEqual([
      'a.yaml:4:5: error: newsletter.request: missing required key "topic"',
    ]);
  });

  it('checks regexes, condition variables, placeholders and answer rules', async () => {
    const problems = await problemsOf({
      'a.yaml': [
        'id: a',
        'steps:',
        '  plz:',
        '    ask: { de: "Deine PLZ, {{contact.firstname}}?", en: "Your postcode?" }',
        '    validate: { pattern: "^[0-9{5}$", min_length: 6, max_length: 5 }',
        '    save: plz',
        '    branch:',
        '      - when: { var: plz, matches: "(" }',
        '        end: true',
        '      - end: true',
        '      - when: { var: vars.plz, exists: true }',
        '        end: true',
        '',
      ].join('\n'),
    });
    expect(problems).toEqual([
      'a.yaml:4:16: error: placeholder {{contact.firstname}}: "contact.firstname" is not a contact field (did you mean "firstName"?); known: contact.firstName, contact.lastName, contact.displayName, contact.locale, contact.channel, contact.username, contact.attributes.<name>',
      'a.yaml:5:26: error: invalid pattern: /^[0-9{5}$/u: Unterminated character class',
      'a.yaml:5:66: error: max_length (5) is smaller than min_length (6): no answer could pass',
      'a.yaml:8:22: warning: "plz" is read as "vars.plz"; write "vars.plz" to make that clear',
      'a.yaml:8:36: error: invalid pattern: /(/u: Unterminated group',
      'a.yaml:11:9: warning: this case is never used: the case before it has no "when" and always applies',
    ]);
  });

  it('checks translations in settings texts and the on_too_many_misses target', async () => {
    const problems = await problemsOf({
      'settings.yaml':
        'default_locale: de\nlocales: [de, en]\non_too_many_misses: a.hlep\ntexts:\n  not_understood: { de: Wie bitte? }\n',
      'a.yaml': 'id: a\nsteps:\n  help:\n    say: Hilfe\n',
    });
    expect(problems).toEqual([
      'settings.yaml:3:21: error: flow "a" has no step "hlep" (did you mean "help"?)',
      'settings.yaml:5:19: error: missing translation for en: add "en:" or write one text for every locale',
    ]);
  });

  it('warns about buttons the channels cannot show well and rejects reserved or oversized payloads', async () => {
    const buttons = Array.from({ length: 11 }, (_, i) => `      - label: Sorte ${i + 1}`).join('\n');
    const problems = await problemsOf({
      'a.yaml': [
        'id: a',
        'steps:',
        '  pick:',
        '    ask: Welche Sorte?',
        '    buttons:',
        buttons,
        '  more:',
        '    say: Mehr',
        '    buttons:',
        '      - label: Ja',
        '        payload: "s:a.more.0"',
        '      - label: ja',
        `        payload: "go:a.pick?sorte=${'ü'.repeat(30)}"`,
        '      - label: "2"',
        '        url: https://bohnenglueck.example',
        '        goto: pick',
        '',
      ].join('\n'),
    });
    expect(problems).toEqual([
      'a.yaml:5:5: warning: 11 buttons: WhatsApp Cloud shows at most 10 options',
      'a.yaml:17:3: warning: step "more" is never reached: no step, button or other flow leads to it',
      'a.yaml:21:18: error: payloads starting with "s:" are generated by Plausch; choose another',
      'a.yaml:22:16: error: buttons 1 and 2 are both labelled "ja": typing the label could not tell them apart',
      'a.yaml:23:18: error: payload is 76 bytes; Telegram allows at most 64',
      'a.yaml:26:9: warning: a link button only opens its URL; goto is never used',
    ]);
  });
});
