import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngineChatPort, runChat } from '../../src/cli/chat.js';
import { runFlowsTestCommand } from '../../src/cli/flows-test.js';
import { runConversationTests } from '../../src/engine/conversation-tests/runner.js';
import { loadFlowDirectory } from './support/load-flows.js';
import { createStandInActions } from './support/stand-in-actions.js';

const flowSet = loadFlowDirectory();
const dirs: string[] = [];
function testsDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'plausch-convtests-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function collect(): { stream: Writable; text: () => string } {
  let text = '';
  return {
    stream: new Writable({
      write(chunk, _encoding, done) {
        text += String(chunk);
        done();
      },
    }),
    text: () => text,
  };
}

describe('conversation tests', () => {
  it('fail a wrong expectation with file:line and what the bot really said', async () => {
    const dir = testsDir({
      'wrong.test.yaml': [
        'name: Falsche Erwartung',
        'contact: { firstName: Anna }',
        'steps:',
        '  - user: Hallo',
        '  - bot: Guten Abend, Anna',
        '',
      ].join('\n'),
    });
    const [result] = await runConversationTests({ testsDir: dir, flowSet, actions: createStandInActions });
    expect(result?.passed).toBe(false);
    expect(result?.failure).toBe(
      `${join(dir, 'wrong.test.yaml')}:5: expected the bot to say “Guten Abend, Anna” but the bot said ` +
        '“Hallo Anna! ☕ Schön, dass du bei der Kaffeerösterei Bohnenglück vorbeischaust. Ich bin der Chat-Assistent der Rösterei.”, ' +
        '“Wobei kann ich dir helfen? [Frage stellen | Events | Newsletter | Freunde werben | Persönliche Hilfe]” ' +
        '(steps: welcome.greet → welcome.first_hello → welcome.menu)',
    );
  });

  it('check buttons, state, vars, effects and no_reply, and report each mismatch', async () => {
    const cases: Array<[string, RegExp]> = [
      [
        '  - buttons: [Frage stellen, Events]',
        /:5: expected the buttons \[Frage stellen, Events\] but the last message has \[Frage stellen, Events, Newsletter/,
      ],
      ['  - state: { flow: events }', /:5: expected flow events but it is welcome/],
      ['  - vars: { last_input: Moin }', /:5: expected vars.last_input to be "Moin" but it is "Hallo"/],
      ['  - effects: [handoff]', /:5: expected the effect handoff but got none/],
      ['  - no_reply: true', /:5: expected no reply but the bot said “Hallo!/],
      [
        '  - replies: 1',
        /:5: expected 1 message since the customer's last step but the bot said “Hallo!.*”, “Wobei/,
      ],
      ['  - replies: 3', /:5: expected 3 messages since the customer's last step but the bot said/],
      [
        '  - press: Kuchen',
        /:5: expected a button “Kuchen” to press but the last message has \[Frage stellen/,
      ],
      ['  - bot_exact: Hallo!', /:5: expected the bot to say exactly “Hallo!”/],
    ];
    for (const [step, message] of cases) {
      const dir = testsDir({ 'x.test.yaml': `name: Fall\nsteps:\n  - user: Hallo\n  # Zeile 4\n${step}\n` });
      const [result] = await runConversationTests({ testsDir: dir, flowSet, actions: createStandInActions });
      expect(result?.failure, step).toMatch(message);
    }
  });

  it('report broken test files instead of skipping them', async () => {
    const dir = testsDir({
      'a.test.yaml': 'name: Kaputt\nsteps:\n  - usr: Hallo\n',
      'b.test.yaml': 'name: [unclosed\n',
      'c.test.yaml': 'steps:\n  - user: Hallo\n',
    });
    const results = await runConversationTests({ testsDir: dir, flowSet, actions: createStandInActions });
    expect(results.map((r) => r.failure)).toEqual([
      expect.stringMatching(/a\.test\.yaml:3: step 1: unknown step "usr"/),
      expect.stringMatching(/b\.test\.yaml:\d+: YAML:/),
      expect.stringMatching(/c\.test\.yaml:1: name: /),
    ]);
  });

  it('runs several tests per file, filtered by name', async () => {
    const dir = testsDir({
      'two.test.yaml':
        'name: Eins\nsteps:\n  - user: Hallo\n  - bot: Hallo\n---\nname: Zwei\nsteps:\n  - user: hello\n  - bot: Hallo\n',
    });
    const results = await runConversationTests({
      testsDir: dir,
      flowSet,
      actions: createStandInActions,
      filter: 'zwei',
    });
    expect(results.map((r) => [r.name, r.passed])).toEqual([['Zwei', true]]);
  });
});

describe('plausch flows test', () => {
  it('prints ✓/✗ lines and the summary, and returns the exit code', async () => {
    const dir = testsDir({
      'ok.test.yaml': 'name: Gut\nsteps:\n  - user: Hallo\n  - bot: Hallo\n',
      'bad.test.yaml': 'name: Schlecht\nsteps:\n  - user: Hallo\n  - bot: Tschüss\n',
    });
    const out = collect();
    const code = await runFlowsTestCommand({
      testsDir: dir,
      flowSet,
      actions: createStandInActions,
      output: out.stream,
    });
    expect(code).toBe(1);
    const lines = out.text().split('\n');
    expect(lines).toContain('✗ Schlecht');
    expect(lines).toContain('✓ Gut');
    expect(out.text()).toMatch(/bad\.test\.yaml:4: expected the bot to say “Tschüss”/);
    expect(lines.at(-2)).toBe('1 passed, 1 failed');

    const allGood = collect();
    const okDir = testsDir({ 'ok.test.yaml': 'name: Gut\nsteps:\n  - user: Hallo\n  - bot: Hallo\n' });
    expect(
      await runFlowsTestCommand({
        testsDir: okDir,
        flowSet,
        actions: createStandInActions,
        output: allGood.stream,
      }),
    ).toBe(0);
    expect(allGood.text().trim().split('\n').at(-1)).toBe('1 passed, 0 failed');
  });
});

describe('plausch chat', () => {
  it('renders numbered options; numbers, labels and commands work', async () => {
    const input = new PassThrough();
    const out = collect();
    const port = createEngineChatPort({
      flows: flowSet,
      actions: createStandInActions(),
      contact: { firstName: 'Alex' },
      now: () => new Date('2026-06-15T10:00:00+02:00'),
    });
    const done = runChat({ port, input, output: out.stream, locale: 'de' });
    input.end(
      [
        '/start',
        '3',
        'Röst-News (monatlich)',
        '/state',
        '/lang en',
        'hello',
        '/reset',
        '/state',
        '/quit',
        'never read',
        '',
      ].join('\n'),
    );
    await done;
    const text = out.text();
    expect(text).toContain('🤖 Hallo Alex!');
    expect(text).toContain('  1) Frage stellen\n  2) Events\n  3) Newsletter');
    expect(text).toContain('🤖 Worüber möchtest du von uns hören?');
    expect(text).toContain('Ich möchte den Newsletter „Röst-News“');
    expect(text).toMatch(/newsletter\.consent \(waits for choice\)/);
    // Greeted a moment ago: a short hello, not "good to see you again".
    expect(text).toContain('🤖 Hi Alex! ☕');
    expect(text).toMatch(/no flow; misses 0; locale de; vars \{\}/);
    expect(text).not.toContain('never read');
  });
});
