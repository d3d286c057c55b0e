/**
 * The flow workbench's console API against a real instance on a copy of the sample flows: validation as you
 * type, save refused while invalid, versions with diffs, rollback, conflicts, path traversal, permissions,
 * the simulator and recording a test, and git-backed versions.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  dialectsUnderTest,
  notePostgresSkipped,
  type TestStoreHandle,
} from '../support/stores.js';
import { addStaff, ConsoleClient, type ConsoleInstance, startConsoleInstance } from './support.js';

notePostgresSkipped();

interface Problem {
  file: string;
  line: number;
  column: number;
  severity: string;
  message: string;
  fix?: { line: number; column: number; endColumn: number; insert: string };
}

describe.each(dialectsUnderTest)('workbench API on %s', (dialect) => {
  let handle: TestStoreHandle | undefined;
  let instance: ConsoleInstance | undefined;
  let flowsDir = '';
  afterEach(async () => {
    await instance?.stop();
    await handle?.dispose();
    rmSync(flowsDir, { recursive: true, force: true });
    instance = undefined;
    handle = undefined;
  });

  async function setup(options: { git?: boolean } = {}) {
    flowsDir = join(mkdtempSync(join(tmpdir(), 'plausch-workbench-')), 'flows');
    cpSync('flows', flowsDir, { recursive: true });
    if (options.git) {
      const git = (...args: string[]) => execFileSync('git', args, { cwd: flowsDir, stdio: 'pipe' });
      git('init', '--quiet');
      git('add', '.');
      git(
        '-c',
        'user.name=Dev',
        '-c',
        'user.email=dev@example.org',
        'commit',
        '--quiet',
        '-m',
        'sample flows',
      );
    }
    handle = await createTestDatabase(dialect);
    const store = await handle.open();
    instance = await startConsoleInstance(store, {
      flowsDir,
      env: { WORKBENCH_VERSIONS: options.git ? 'git' : 'store' },
    });
    await addStaff(store, 'mia@bohnenglueck.de', 'marketer', null, 'Mia');
    await addStaff(store, 'max@bohnenglueck.de', 'marketer', null, 'Max');
    await addStaff(store, 'anna@bohnenglueck.de', 'agent', 'service', 'Anna');
    const client = async (email: string) => {
      const c = new ConsoleClient(instance!.baseUrl);
      expect((await c.login(email)).status).toBe(200);
      return c;
    };
    return { mia: await client('mia@bohnenglueck.de'), max: await client('max@bohnenglueck.de'), client };
  }

  const file = (name: string) => readFileSync(join(flowsDir, name), 'utf8');

  it('lists flows with their state and validates a draft as you type, with a one-click fix and plain YAML errors', async () => {
    const { mia } = await setup();
    const list = await mia.json<{
      files: Array<{ path: string; flowId?: string; errors: number; triggers: string[] }>;
    }>('GET', '/console/api/workbench/files');
    expect(list.status).toBe(200);
    const welcome = list.body.files.find((entry) => entry.path === 'welcome.yaml');
    expect(welcome).toMatchObject({ flowId: 'welcome', errors: 0 });
    expect(welcome?.triggers).toContain('start');
    expect(list.body.files.some((entry) => entry.path === 'faq/shop.yaml')).toBe(true);

    const text = file('welcome.yaml').replace(
      '    next: menu\n  greet_and_answer:',
      '    next: mneu\n  greet_and_answer:',
    );
    const typo = await mia.json<{ ok: boolean; problems: Problem[] }>(
      'POST',
      '/console/api/workbench/validate',
      {
        path: 'welcome.yaml',
        text,
      },
    );
    expect(typo.body.ok).toBe(false);
    const problem = typo.body.problems.find((p) => p.file === 'welcome.yaml' && p.severity === 'error');
    expect(problem?.message).toContain('did you mean "menu"');
    const line = text.split('\n')[(problem?.line ?? 1) - 1] ?? '';
    expect(line).toContain('next: mneu');
    expect(problem?.fix).toMatchObject({ insert: 'menu', line: problem?.line });
    expect(line.slice((problem?.fix?.column ?? 1) - 1, (problem?.fix?.endColumn ?? 1) - 1)).toBe('mneu');

    const colon = file('welcome.yaml').replace(
      '      de: Hallo {{contact.firstName}}! ☕\n',
      '      de: Hallo {{contact.firstName}}: Achtung: heiß\n',
    );
    const syntax = await mia.json<{ problems: Problem[] }>('POST', '/console/api/workbench/validate', {
      path: 'welcome.yaml',
      text: colon,
    });
    expect(syntax.body.problems.find((p) => p.file === 'welcome.yaml')?.message).toMatch(
      /put the text in double quotes: a colon/,
    );
  });

  it('refuses an invalid save, saves a valid one live, keeps versions with diffs and rolls back', async () => {
    const { mia } = await setup();
    const opened = await mia.json<{ text: string; hash: string }>(
      'GET',
      '/console/api/workbench/file?path=welcome.yaml',
    );
    expect(opened.body, JSON.stringify(opened.body)).toHaveProperty('text');
    const original = opened.body.text;

    const broken = original.replace(
      '    next: menu\n  greet_and_answer:',
      '    next: nirgends\n  greet_and_answer:',
    );
    const refused = await mia.json<{ problems: Problem[] }>('POST', '/console/api/workbench/save', {
      path: 'welcome.yaml',
      text: broken,
      baseHash: opened.body.hash,
    });
    expect(refused.status).toBe(422);
    expect(refused.body.problems.some((p) => p.message.includes('nirgends'))).toBe(true);
    expect(file('welcome.yaml')).toBe(original);

    const changed = original.replace(
      'Schön, dass du bei der Kaffeerösterei',
      'Wie schön, dass du bei der Rösterei',
    );
    const saved = await mia.json<{ hash: string; version: { id: string; author: { name: string } } }>(
      'POST',
      '/console/api/workbench/save',
      { path: 'welcome.yaml', text: changed, baseHash: opened.body.hash },
    );
    expect(saved.status).toBe(200);
    expect(saved.body.version.author.name).toBe('Mia');
    expect(file('welcome.yaml')).toBe(changed);
    // Live at once: the running flow set has the new text.
    const step = instance!.plausch.flows.current().flows.get('welcome')?.definition.steps.first_hello;
    expect(JSON.stringify(step?.say)).toContain('Wie schön');

    const versions = await mia.json<{
      versions: Array<{ id: string; message: string; author: { name: string } | null }>;
    }>('GET', '/console/api/workbench/versions?path=welcome.yaml');
    expect(versions.body.versions).toHaveLength(2);
    expect(versions.body.versions[1]?.message).toBe('as it was before the workbench');
    const compare = await mia.json<{ diff: string }>(
      'GET',
      `/console/api/workbench/compare?path=welcome.yaml&from=previous&to=${versions.body.versions[0]?.id}`,
    );
    expect(compare.body.diff).toContain('+      de: Hallo {{contact.firstName}}! ☕ Wie schön');
    expect(compare.body.diff).toContain('-      de: Hallo {{contact.firstName}}! ☕ Schön');

    const rollback = await mia.json<{ hash: string }>('POST', '/console/api/workbench/rollback', {
      path: 'welcome.yaml',
      versionId: versions.body.versions[1]?.id,
      baseHash: saved.body.hash,
    });
    expect(rollback.status).toBe(200);
    expect(file('welcome.yaml')).toBe(original);
    expect(
      JSON.stringify(
        instance!.plausch.flows.current().flows.get('welcome')?.definition.steps.first_hello?.say,
      ),
    ).toContain('Schön, dass du bei der Kaffeerösterei');
    const after = await mia.json<{ versions: unknown[] }>(
      'GET',
      '/console/api/workbench/versions?path=welcome.yaml',
    );
    expect(after.body.versions).toHaveLength(3);
  });

  it('warns the second of two marketers with the other change instead of overwriting it', async () => {
    const { mia, max } = await setup();
    const forMia = await mia.json<{ text: string; hash: string }>(
      'GET',
      '/console/api/workbench/file?path=welcome.yaml',
    );
    const forMax = await max.json<{ text: string; hash: string }>(
      'GET',
      '/console/api/workbench/file?path=welcome.yaml',
    );
    const miaText = forMia.body.text.replace('Schön, dass du', 'Toll, dass du');
    expect(
      (
        await mia.json('POST', '/console/api/workbench/save', {
          path: 'welcome.yaml',
          text: miaText,
          baseHash: forMia.body.hash,
        })
      ).status,
    ).toBe(200);
    const maxText = forMax.body.text.replace('Ich bin der Chat-Assistent', 'Ich bin der Bot');
    const conflict = await max.json<{
      current: { text: string };
      lastVersion: { author: { name: string } };
      diff: string;
    }>('POST', '/console/api/workbench/save', {
      path: 'welcome.yaml',
      text: maxText,
      baseHash: forMax.body.hash,
    });
    expect(conflict.status).toBe(409);
    expect(conflict.body.lastVersion.author.name).toBe('Mia');
    expect(conflict.body.current.text).toBe(miaText);
    expect(conflict.body.diff).toContain('+      de: Hallo {{contact.firstName}}! ☕ Toll, dass du');
    expect(file('welcome.yaml')).toBe(miaText);
  });

  it('edits the knowledge base the same way and adds a paraphrase in one call', async () => {
    const { mia } = await setup();
    const opened = await mia.json<{ text: string; hash: string }>(
      'GET',
      '/console/api/workbench/file?path=faq/shop.yaml',
    );
    const broken = await mia.json<{ ok: boolean; problems: Problem[] }>(
      'POST',
      '/console/api/workbench/validate',
      {
        path: 'faq/shop.yaml',
        text: opened.body.text.replace(/^entries:/m, 'entrys:'),
      },
    );
    expect(broken.body.ok).toBe(false);
    expect(broken.body.problems[0]?.file).toBe('faq/shop.yaml');
    const entryId = /- id: ([a-z0-9-]+)/.exec(opened.body.text)?.[1] as string;
    const added = await mia.json<{ text: string }>('POST', '/console/api/workbench/faq/paraphrase', {
      path: 'faq/shop.yaml',
      entryId,
      locale: 'de',
      question: 'Kann ich per Rechnung zahlen wenn ich Stammkunde bin',
    });
    expect(added.status).toBe(200);
    expect(file('faq/shop.yaml')).toContain('Kann ich per Rechnung zahlen wenn ich Stammkunde bin');
    const versions = await mia.json<{ versions: unknown[] }>(
      'GET',
      '/console/api/workbench/versions?path=faq/shop.yaml',
    );
    expect(versions.body.versions).toHaveLength(2);
  });

  it('saves events, newsletter topics and referral campaigns the same way: refused while invalid, live and versioned when valid', async () => {
    const { mia } = await setup();
    const plausch = instance!.plausch;
    const feature = <F>(name: string) => plausch.features.find((candidate) => candidate.name === name) as F;
    const cases: Array<{
      path: string;
      broken: (text: string) => string;
      changed: (text: string) => string;
      live: () => Promise<string>;
      expected: string;
    }> = [
      {
        path: 'events/winter-2026.yaml',
        broken: (text) => text.replace('start: 2026-12-10T19:00', 'start: nächsten Donnerstag'),
        changed: (text) => text.replace('Verkostungsabend „Äthiopien & Kenia“', 'Verkostung „Kenia pur“'),
        live: async () =>
          JSON.stringify(
            await plausch.store.db
              .withTables<{ events: { id: string; title: string } }>()
              .selectFrom('events')
              .select('title')
              .where('id', '=', 'tasting-2026-12')
              .executeTakeFirst(),
          ),
        expected: 'Verkostung „Kenia pur“',
      },
      {
        path: 'newsletter/topics.yaml',
        broken: (text) => text.replace('  - id: roast-news', '  - id: Röst News!'),
        changed: (text) => text.replace('      de: Röst-News\n', '      de: Röst-Neuigkeiten\n'),
        live: async () =>
          JSON.stringify(
            feature<{ topics(): { get(id: string): unknown } }>('newsletter').topics().get('roast-news'),
          ),
        expected: 'Röst-Neuigkeiten',
      },
      {
        path: 'referrals/campaigns.yaml',
        broken: (text) => text.replace(/^campaigns:/m, 'kampagnen:'),
        changed: (text) =>
          text.replace(
            'title: Freunde werben – 10 % auf die erste Bestellung',
            'title: Freunde werben – 15 % auf die erste Bestellung',
          ),
        live: async () => JSON.stringify(feature<{ program(): unknown }>('referrals').program()),
        expected: 'Freunde werben – 15 % auf die erste Bestellung',
      },
    ];
    for (const entry of cases) {
      const opened = await mia.json<{ text: string; hash: string; kind: string }>(
        'GET',
        `/console/api/workbench/file?path=${encodeURIComponent(entry.path)}`,
      );
      expect(opened.status, entry.path).toBe(200);
      const original = opened.body.text;
      const broken = entry.broken(original);
      expect(broken, `${entry.path}: the broken edit applies`).not.toBe(original);
      const refused = await mia.json<{ problems: Problem[] }>('POST', '/console/api/workbench/save', {
        path: entry.path,
        text: broken,
        baseHash: opened.body.hash,
      });
      expect(refused.status, entry.path).toBe(422);
      expect(
        refused.body.problems.some((problem) => problem.file === entry.path),
        entry.path,
      ).toBe(true);
      expect(file(entry.path)).toBe(original);
      expect(await entry.live()).not.toContain(entry.expected);

      const changed = entry.changed(original);
      expect(changed, `${entry.path}: the edit applies`).not.toBe(original);
      const saved = await mia.json('POST', '/console/api/workbench/save', {
        path: entry.path,
        text: changed,
        baseHash: opened.body.hash,
      });
      expect(saved.status, `${entry.path}: ${JSON.stringify(saved.body)}`).toBe(200);
      expect(file(entry.path)).toBe(changed);
      expect(await entry.live(), entry.path).toContain(entry.expected);
      const versions = await mia.json<{ versions: Array<{ author: { name: string } | null }> }>(
        'GET',
        `/console/api/workbench/versions?path=${encodeURIComponent(entry.path)}`,
      );
      expect(versions.body.versions[0]?.author?.name, entry.path).toBe('Mia');
    }
  });

  it('edits the WhatsApp templates: a placeholder without a parameter is refused, a new template is live for broadcasts', async () => {
    const { mia } = await setup();
    const opened = await mia.json<{ text: string; hash: string }>(
      'GET',
      '/console/api/workbench/file?path=whatsapp/templates.yaml',
    );
    expect(opened.status).toBe(200);
    const added = `${opened.body.text}  - name: winter_sale
    language: de
    body: "Hallo {{1}}, der Winterverkauf beginnt am {{2}}."
    parameters:
      - { from: contact.firstName, fallback: "du" }
`;
    const refused = await mia.json<{ problems: Problem[] }>('POST', '/console/api/workbench/save', {
      path: 'whatsapp/templates.yaml',
      text: added,
      baseHash: opened.body.hash,
    });
    expect(refused.status).toBe(422);
    expect(refused.body.problems[0]?.message).toContain('{{1}}, {{2}} but 1 parameter');
    const fixed = `${added}      - { text: "1. Dezember" }\n`;
    const saved = await mia.json('POST', '/console/api/workbench/save', {
      path: 'whatsapp/templates.yaml',
      text: fixed,
      baseHash: opened.body.hash,
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    const composer = await mia.json<{ templates: Array<{ name: string }> }>(
      'GET',
      '/console/api/marketing/broadcasts/setup',
    );
    expect(composer.body.templates.map((t) => t.name)).toContain('winter_sale');
  });

  it('never reads or writes outside the flows folder', async () => {
    const { mia } = await setup();
    for (const path of [
      '../package.json',
      '/etc/passwd',
      'faq/../../x.yaml',
      '..%2Fx.yaml',
      'tests/../../x.test.yaml',
      '.hidden.yaml',
    ]) {
      const read = await mia.json('GET', `/console/api/workbench/file?path=${encodeURIComponent(path)}`);
      expect(read.status, path).toBe(400);
      const write = await mia.json('POST', '/console/api/workbench/save', {
        path,
        text: 'id: x\n',
        baseHash: 'absent',
      });
      expect(write.status, path).toBe(400);
    }
    // A symlinked folder that leads out is refused too.
    const outside = mkdtempSync(join(tmpdir(), 'plausch-outside-'));
    symlinkSync(outside, join(flowsDir, 'events-link'));
    rmSync(join(flowsDir, 'events'), { recursive: true });
    symlinkSync(outside, join(flowsDir, 'events'));
    const write = await mia.json('POST', '/console/api/workbench/save', {
      path: 'events/x.yaml',
      text: 'events: []\n',
      baseHash: 'absent',
    });
    expect(write.status).toBe(400);
    expect(existsSync(join(outside, 'x.yaml'))).toBe(false);
    rmSync(outside, { recursive: true, force: true });
  });

  it('lets only marketers and admins in: an agent cannot read or save', async () => {
    const { client } = await setup();
    const anna = await client('anna@bohnenglueck.de');
    expect((await anna.json('GET', '/console/api/workbench/files')).status).toBe(403);
    const save = await anna.json('POST', '/console/api/workbench/save', {
      path: 'welcome.yaml',
      text: 'x',
      baseHash: 'x',
    });
    expect(save.status).toBe(403);
    const anonymous = new ConsoleClient(instance!.baseUrl);
    expect((await anonymous.json('GET', '/console/api/workbench/files')).status).toBe(401);
  });

  it('simulates the draft set on WhatsApp Web with numbered options and records a test that passes', async () => {
    const { mia } = await setup();
    const opened = await mia.json<{ text: string }>('GET', '/console/api/workbench/file?path=welcome.yaml');
    const draft = opened.body.text.replace(
      'Schön, dass du bei der Kaffeerösterei',
      'Entwurf – schön, dass du bei der Kaffeerösterei',
    );
    const started = await mia.json<{ sessionId: string }>('POST', '/console/api/workbench/simulator', {
      drafts: { 'welcome.yaml': draft },
      channel: 'whatsapp-web',
      locale: 'de',
    });
    expect(started.status).toBe(201);
    const id = started.body.sessionId;
    const first = await mia.json<{
      messages: Array<{ text: string; buttons: string[]; channel: { bubbles: Array<{ text?: string }> } }>;
      state: { flowId: string; stepId: string };
    }>('POST', `/console/api/workbench/simulator/${id}/act`, { action: { kind: 'start' } });
    expect(first.status).toBe(200);
    expect(first.body.messages.map((m) => m.text).join('\n')).toContain('Entwurf – schön');
    expect(first.body.state.flowId).toBe('welcome');
    const menu = first.body.messages.find((m) => m.buttons.length > 0);
    expect(menu?.channel.bubbles.at(-1)?.text).toMatch(/1\) /);
    // Nothing reached the real channel.
    expect(instance!.adapter.sends).toHaveLength(0);

    const pressed = await mia.json<{ state: { flowId: string } }>(
      'POST',
      `/console/api/workbench/simulator/${id}/act`,
      {
        action: { kind: 'press', label: menu?.buttons[0] as string },
      },
    );
    expect(pressed.status).toBe(200);
    const recorded = await mia.json<{ path: string; text: string }>(
      'POST',
      `/console/api/workbench/simulator/${id}/record`,
      {
        name: 'Begrüßung im Simulator aufgenommen',
      },
    );
    expect(recorded.status).toBe(201);
    expect(recorded.body.path).toBe('tests/begrussung-im-simulator-aufgenommen.test.yaml');
    expect(existsSync(join(flowsDir, recorded.body.path))).toBe(true);
    // The recorded test fails on the saved flows (they lack the draft text) and passes with the draft.
    const onSaved = await mia.json<{ results: Array<{ passed: boolean; failure?: string }> }>(
      'POST',
      '/console/api/workbench/tests/run',
      { file: recorded.body.path },
    );
    expect(onSaved.body.results[0]?.passed).toBe(false);
    const onDraft = await mia.json<{ results: Array<{ passed: boolean; failure?: string }> }>(
      'POST',
      '/console/api/workbench/tests/run',
      { file: recorded.body.path, drafts: { 'welcome.yaml': draft } },
    );
    expect(onDraft.body.results[0]).toMatchObject({ passed: true });
  });

  it('changes a branch: a wrong target is refused with a suggestion, a right one is followed in the simulator in both languages', async () => {
    const { mia } = await setup();
    const opened = await mia.json<{ text: string; hash: string }>(
      'GET',
      '/console/api/workbench/file?path=welcome.yaml',
    );
    const original = opened.body.text;
    const eventsButton = '      - label: { de: Events, en: Events }\n        goto_flow: events\n';
    expect(original).toContain(eventsButton);
    const typo = original.replace(
      eventsButton,
      eventsButton.replace('goto_flow: events', 'goto_flow: referal'),
    );
    const checked = await mia.json<{ problems: Problem[] }>('POST', '/console/api/workbench/validate', {
      path: 'welcome.yaml',
      text: typo,
    });
    const problem = checked.body.problems.find((p) => p.message.includes('referal'));
    expect(problem, JSON.stringify(checked.body)).toBeDefined();
    expect(JSON.stringify(problem)).toContain('referral');

    // The "Events" button now leads to the referral flow; the simulator follows it in German and in English.
    const changed = original.replace(
      eventsButton,
      eventsButton.replace('goto_flow: events', 'goto_flow: referral'),
    );
    for (const [locale, label] of [
      ['de', 'Events'],
      ['en', 'Events'],
    ] as const) {
      const started = await mia.json<{ sessionId: string }>('POST', '/console/api/workbench/simulator', {
        drafts: { 'welcome.yaml': changed },
        channel: 'telegram',
        locale,
      });
      const id = started.body.sessionId;
      await mia.json('POST', `/console/api/workbench/simulator/${id}/act`, { action: { kind: 'start' } });
      const pressed = await mia.json<{ state: { flowId: string } }>(
        'POST',
        `/console/api/workbench/simulator/${id}/act`,
        { action: { kind: 'press', label } },
      );
      expect(pressed.body.state.flowId, locale).toBe('referral');
    }
    const saved = await mia.json('POST', '/console/api/workbench/save', {
      path: 'welcome.yaml',
      text: changed,
      baseHash: opened.body.hash,
    });
    expect(saved.status).toBe(200);
    const menu = instance!.plausch.flows.current().flows.get('welcome')?.definition.steps.menu;
    expect(JSON.stringify(menu)).toContain('"goto_flow":"referral"');
  });

  it('commits each save with the marketer as author where the flows are a git checkout', async () => {
    const { mia } = await setup({ git: true });
    const opened = await mia.json<{ text: string; hash: string }>(
      'GET',
      '/console/api/workbench/file?path=welcome.yaml',
    );
    const saved = await mia.json('POST', '/console/api/workbench/save', {
      path: 'welcome.yaml',
      text: opened.body.text.replace('Schön, dass du', 'Fein, dass du'),
      baseHash: opened.body.hash,
    });
    expect(saved.status).toBe(200);
    const log = execFileSync('git', ['log', '--format=%an <%ae>|%cn|%s', '-n2'], {
      cwd: flowsDir,
      encoding: 'utf8',
    });
    expect(log.split('\n')[0]).toBe(
      'Mia <mia@bohnenglueck.de>|Plausch workbench|welcome.yaml: changed in the workbench by Mia',
    );
    const versions = await mia.json<{ versions: Array<{ id: string }> }>(
      'GET',
      '/console/api/workbench/versions?path=welcome.yaml',
    );
    expect(versions.body.versions).toHaveLength(2);
    const rollback = await mia.json('POST', '/console/api/workbench/rollback', {
      path: 'welcome.yaml',
      versionId: versions.body.versions[1]?.id,
      baseHash: (saved.body as { hash: string }).hash,
    });
    expect(rollback.status).toBe(200);
    expect(file('welcome.yaml')).toBe(opened.body.text);
    expect(execFileSync('git', ['status', '--porcelain'], { cwd: flowsDir, encoding: 'utf8' })).toBe('');
  });
});
