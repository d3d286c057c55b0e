import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ActionRegistry } from '../../src/engine/actions.js';
import { registerCoreActions } from '../../src/engine/core-actions.js';
import { runInterceptorsThenTurn } from '../../src/engine/interceptors.js';
import { MAX_PAYLOAD_BYTES, stepButtonPayload } from '../../src/engine/payloads.js';
import { runTurn, TurnInputError } from '../../src/engine/run-turn.js';
import type { InboundInterceptor } from '../../src/engine/types.js';
import { flowSetOf } from './support/load-flows.js';
import { Chat, testContact, turnInput } from './support/turns.js';

const menuFlow = {
  id: 'menu',
  triggers: { start: true, keywords: { de: ['hallo', 'menü'], en: ['hello'] }, payloads: ['MENU'] },
  steps: {
    hello: { say: { de: 'Hallo {{contact.firstName}}!', en: 'Hi {{contact.firstName}}!' }, next: 'pick' },
    pick: {
      ask: { de: 'Was möchtest du?', en: 'What would you like?' },
      buttons: [
        { label: { de: 'Kaffee', en: 'Coffee' }, goto: 'coffee' },
        { label: { de: 'Tee', en: 'Tea' }, value: 'tea', goto: 'tea' },
        { label: 'Shop', url: 'https://example.com/shop' },
      ],
      save: 'drink',
    },
    coffee: { say: 'Kaffee kommt.' },
    tea: { say: 'Tee kommt.', end: true },
  },
};
const emailFlow = {
  id: 'signup',
  triggers: { keywords: ['anmelden', 'anmelden newsletter'] },
  steps: {
    email: { ask: 'Deine E-Mail?', expect: 'email', save: 'email', next: 'done' },
    done: { say: 'Danke, {{vars.email}}.' },
  },
};
const fallbackFlow = {
  id: 'fallback',
  triggers: { fallback: true },
  steps: { sorry: { say: 'Fallback: {{vars.last_input}}' } },
};
const helpFlow = { id: 'help', steps: { offer: { say: 'Soll ich einen Menschen holen?' } } };

const flows = flowSetOf([menuFlow, emailFlow, fallbackFlow, helpFlow], { on_too_many_misses: 'help.offer' });

describe('starting flows', () => {
  it('greets on /start with the start flow, attaching buttons to the last message', async () => {
    const out = await runTurn(turnInput(flows, { kind: 'message', isStart: true }));
    expect(out.messages).toEqual([
      { text: 'Hallo Anna!' },
      {
        text: 'Was möchtest du?',
        buttons: [
          { label: 'Kaffee', payload: 's:menu.pick.0' },
          { label: 'Tee', payload: 's:menu.pick.1' },
          { label: 'Shop', url: 'https://example.com/shop' },
        ],
      },
    ]);
    expect(out.state).toMatchObject({ flowId: 'menu', stepId: 'pick', awaiting: 'choice', misses: 0 });
    expect(out.trace).toEqual(['menu.hello', 'menu.pick']);
  });

  it('speaks the contact locale and uses every locale keyword for everyone', async () => {
    const en = await runTurn(
      turnInput(flows, { kind: 'message', text: 'Hallo' }, { contact: testContact({ locale: 'en' }) }),
    );
    expect(en.messages[0]?.text).toBe('Hi Anna!');
    const de = await runTurn(turnInput(flows, { kind: 'message', text: 'hello there' }));
    expect(de.messages[0]?.text).toBe('Hallo Anna!');
  });

  it('lets the longest keyword win', async () => {
    const both = flowSetOf([
      { id: 'a', triggers: { keywords: ['kaffee'] }, steps: { s: { say: 'A' } } },
      { id: 'b', triggers: { keywords: ['kaffee bestellen'] }, steps: { s: { say: 'B' } } },
      { id: 'c', triggers: { keywords: ['tee'] }, steps: { s: { say: 'C' } } },
      { id: 'd', triggers: { keywords: ['tee'] }, steps: { s: { say: 'D' } } },
    ]);
    const out = await runTurn(turnInput(both, { kind: 'message', text: 'ich will Kaffee bestellen' }));
    expect(out.messages[0]?.text).toBe('B');
    // A tie goes to the first flow by id.
    expect((await runTurn(turnInput(both, { kind: 'message', text: 'Tee' }))).messages[0]?.text).toBe('C');
  });

  it('matches keywords as whole words only', async () => {
    const out = await runTurn(turnInput(flows, { kind: 'message', text: 'hallodri' }));
    expect(out.messages[0]?.text).toBe('Fallback: hallodri');
    expect(out.state.vars.last_input).toBe('hallodri');
  });

  it('routes start payloads by prefix and keeps the payload', async () => {
    const withReferral = flowSetOf([
      menuFlow,
      {
        id: 'referred',
        triggers: { start_prefix: 'ref_' },
        steps: { hi: { say: 'Empfohlen: {{vars.start_payload}}' } },
      },
    ]);
    const referred = await runTurn(
      turnInput(withReferral, { kind: 'message', isStart: true, startPayload: 'ref_ab12' }),
    );
    expect(referred.messages[0]?.text).toBe('Empfohlen: ref_ab12');
    const other = await runTurn(
      turnInput(withReferral, { kind: 'message', isStart: true, startPayload: 'fb_ad' }),
    );
    expect(other.state.flowId).toBe('menu');
    expect(other.state.vars.start_payload).toBe('fb_ad');
  });

  it('says the built-in not-understood text when there is no fallback flow', async () => {
    const noFallback = flowSetOf([menuFlow]);
    const out = await runTurn(turnInput(noFallback, { kind: 'message', text: 'xyz' }));
    expect(out.messages[0]?.text).toContain('Das habe ich leider nicht verstanden');
    expect(out.state.flowId).toBeNull();
  });

  it('rejects start-flow events for unknown flows without touching the state', async () => {
    await expect(runTurn(turnInput(flows, { kind: 'start-flow', flowId: 'nope' }))).rejects.toBeInstanceOf(
      TurnInputError,
    );
    await expect(
      runTurn(turnInput(flows, { kind: 'start-flow', flowId: 'menu', stepId: 'nope' })),
    ).rejects.toThrow(/no such step/);
    const out = await runTurn(turnInput(flows, { kind: 'start-flow', flowId: 'menu', stepId: 'tea' }));
    expect(out.messages).toEqual([{ text: 'Tee kommt.' }]);
  });
});

describe('answering a waiting step', () => {
  it('takes a button payload, a typed number and a label in another locale', async () => {
    for (const answer of [
      { kind: 'message' as const, buttonPayload: 's:menu.pick.1' },
      { kind: 'message' as const, text: '2' },
      { kind: 'message' as const, text: 'Nr. 2' },
      { kind: 'message' as const, text: 'tea' },
      { kind: 'message' as const, text: 'einen Tee bitte' },
    ]) {
      const chat = new Chat(flows);
      await chat.send('hallo');
      await chat.send(answer);
      expect(chat.texts()).toEqual(['Tee kommt.']);
      expect(chat.state).toMatchObject({
        flowId: null,
        stepId: null,
        awaiting: null,
        vars: { drink: 'tea' },
      });
    }
  });

  it('saves the label in the default locale when a button has no value', async () => {
    const chat = new Chat(flows, { contact: testContact({ locale: 'en' }) });
    await chat.send('hello');
    await chat.send('coffee');
    expect(chat.state.vars.drink).toBe('Kaffee');
  });

  it('validates typed input and stores it', async () => {
    const chat = new Chat(flows);
    await chat.send('anmelden');
    await chat.send('Anna@Beispiel.DE');
    expect(chat.texts()).toEqual(['Danke, anna@beispiel.de.']);
  });

  it('re-prompts with a helpful text and the question, then hands over after too many misses', async () => {
    const chat = new Chat(flows);
    await chat.send('anmelden');
    await chat.send('weiß ich nicht');
    expect(chat.texts()).toEqual([
      'Bitte gib eine gültige E-Mail-Adresse ein, z. B. name@example.com.',
      'Deine E-Mail?',
    ]);
    expect(chat.state).toMatchObject({ flowId: 'signup', stepId: 'email', misses: 1 });
    await chat.send('immer noch nicht');
    expect(chat.texts()).toEqual(['Soll ich einen Menschen holen?']);
    expect(chat.state).toMatchObject({ flowId: null, misses: 0, vars: { last_input: 'immer noch nicht' } });
  });

  it('re-prompts a choice with its buttons and falls back to the fallback flow without on_too_many_misses', async () => {
    const plain = flowSetOf([menuFlow, fallbackFlow]);
    const chat = new Chat(plain);
    await chat.send('hallo');
    await chat.send('7');
    expect(chat.last.messages[0]?.text).toBe(
      'Das habe ich leider nicht verstanden. Tippe die Nummer einer Option oder nutze die Buttons.',
    );
    expect(chat.last.messages[1]?.buttons?.map((b) => b.label)).toEqual(['Kaffee', 'Tee', 'Shop']);
    await chat.send('8');
    expect(chat.texts()).toEqual(['Fallback: 8']);
  });

  it('uses the step retry text when there is one', async () => {
    const retrying = flowSetOf([
      {
        id: 'age',
        triggers: { keywords: ['alter'] },
        steps: {
          ask: {
            ask: 'Wie alt bist du?',
            expect: 'number',
            validate: { min: 16 },
            retry: 'Ab 16, bitte als Zahl.',
            save: 'age',
          },
        },
      },
    ]);
    const chat = new Chat(retrying);
    await chat.send('alter');
    await chat.send('12');
    expect(chat.texts()).toEqual(['Ab 16, bitte als Zahl.', 'Wie alt bist du?']);
  });

  it('lets the customer change the subject: a trigger wins over a miss', async () => {
    const chat = new Chat(flows);
    await chat.send('anmelden');
    await chat.send('ach, hallo erstmal');
    expect(chat.state).toMatchObject({ flowId: 'menu', stepId: 'pick', misses: 0 });
  });

  it('takes any text for a free-text question, but a trigger payload still wins', async () => {
    const free = flowSetOf([
      menuFlow,
      {
        id: 'ask',
        triggers: { keywords: ['frage'] },
        steps: { q: { ask: 'Deine Frage?', save: 'q', next: 'a' }, a: { say: 'Frage: {{vars.q}}' } },
      },
    ]);
    const chat = new Chat(free);
    await chat.send('frage');
    await chat.send('hallo');
    expect(chat.texts()).toEqual(['Frage: hallo']);
    await chat.send('frage');
    await chat.send({ kind: 'message', text: 'Menü', buttonPayload: 'MENU' });
    expect(chat.state).toMatchObject({ flowId: 'menu', stepId: 'pick' });
  });

  it('handles a stale button: back to that step, that button applied', async () => {
    const chat = new Chat(flows);
    await chat.send('hallo');
    await chat.send('anmelden');
    await chat.send({ kind: 'message', text: 'Tee', buttonPayload: 's:menu.pick.1' });
    expect(chat.texts()).toEqual(['Tee kommt.']);
    expect(chat.state.vars.drink).toBe('tea');
  });

  it('resolves a typed number against the last offered buttons when no step waits', async () => {
    const dynamic = flowSetOf([
      {
        id: 'list',
        triggers: { keywords: ['liste'] },
        steps: { show: { action: 'test.offer' }, detail: { say: 'Gewählt: {{vars.item}}' } },
      },
    ]);
    const actions = registerCoreActions(new ActionRegistry()).register({
      name: 'test.offer',
      summary: 'offers two jump buttons',
      args: z.object({}),
      outcomes: ['ok'],
      run: async () => ({
        messages: [
          {
            text: 'Wähle:',
            buttons: [
              { label: 'Eins', payload: 'go:list.detail?item=eins' },
              { label: 'Zwei', payload: 'go:list.detail?item=zwei' },
            ],
          },
        ],
      }),
    });
    const chat = new Chat(dynamic, { actions });
    await chat.send('liste');
    expect(chat.state.offered).toEqual([
      { label: 'Eins', payload: 'go:list.detail?item=eins' },
      { label: 'Zwei', payload: 'go:list.detail?item=zwei' },
    ]);
    await chat.send('2');
    expect(chat.texts()).toEqual(['Gewählt: zwei']);
  });
});

describe('payloads', () => {
  it('starts a step through a jump payload at any time, setting its variables', async () => {
    const chat = new Chat(flows);
    await chat.send('anmelden');
    await chat.send({ kind: 'message', buttonPayload: 'go:signup.done?email=x%40y.de&extra=1' });
    expect(chat.texts()).toEqual(['Danke, x@y.de.']);
    expect(chat.state.vars).toMatchObject({ email: 'x@y.de', extra: '1' });
  });

  it('hashes generated payloads longer than 64 bytes and resolves them', async () => {
    const longStep = `step-${'x'.repeat(60)}`;
    const long = flowSetOf([
      {
        id: 'long',
        triggers: { keywords: ['lang'] },
        steps: {
          [longStep]: {
            ask: 'Wähle',
            buttons: [
              { label: 'A', goto: 'a' },
              { label: 'B', goto: 'b' },
            ],
          },
          a: { say: 'A!' },
          b: { say: 'B!' },
        },
      },
    ]);
    const payload = stepButtonPayload('long', longStep, 1);
    expect(payload).toMatch(/^h:[\w-]{16}$/);
    expect(Buffer.byteLength(payload)).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
    const chat = new Chat(long);
    await chat.send('lang');
    expect(chat.last.messages[0]?.buttons?.[1]?.payload).toBe(payload);
    await chat.send({ kind: 'message', buttonPayload: payload });
    expect(chat.texts()).toEqual(['B!']);
    // Also as a stale button, with nothing waiting.
    await chat.send({ kind: 'message', buttonPayload: payload });
    expect(chat.texts()).toEqual(['B!']);
  });
});

describe('actions', () => {
  const outcomeFlows = flowSetOf([
    {
      id: 'check',
      triggers: { keywords: ['check'] },
      steps: {
        run: {
          action: 'test.check',
          with: { code: '{{vars.code | "none"}}', n: '{{vars.n}}' },
          say: 'Geprüft ({{vars.checked}}).',
          on: { good: 'good', bad: 'bad' },
          next: 'other',
        },
        good: { say: 'gut' },
        bad: { say: 'schlecht' },
        other: { say: 'anders' },
      },
    },
  ]);
  const actions = () =>
    registerCoreActions(new ActionRegistry()).register({
      name: 'test.check',
      summary: 'reports the outcome named by code',
      args: z.strictObject({ code: z.string(), n: z.union([z.number(), z.literal('')]) }),
      outcomes: ['good', 'bad', 'odd'],
      run: async (args) => {
        if (args.code === 'boom') throw new Error('database down');
        return {
          outcome: args.code,
          vars: { checked: args.code },
          messages: [{ text: `Aktion sagt ${args.code}` }],
        };
      },
    });

  it.each([
    ['good', ['Geprüft (good).', 'Aktion sagt good', 'gut']],
    ['bad', ['Geprüft (bad).', 'Aktion sagt bad', 'schlecht']],
    ['odd', ['Geprüft (odd).', 'Aktion sagt odd', 'anders']],
  ])('outcome %s picks the next step through on:', async (code, texts) => {
    const out = await runTurn(
      turnInput(
        outcomeFlows,
        { kind: 'message', text: 'check' },
        {
          actions: actions(),
          state: { flowId: null, stepId: null, awaiting: null, vars: { code, n: 3 }, misses: 0 },
        },
      ),
    );
    expect(out.messages.map((m) => m.text)).toEqual(texts);
  });

  it('ends the flow with an apology when an action fails or its arguments do not fit', async () => {
    const failing = await runTurn(
      turnInput(
        outcomeFlows,
        { kind: 'message', text: 'check' },
        {
          actions: actions(),
          state: { flowId: null, stepId: null, awaiting: null, vars: { code: 'boom', n: 1 }, misses: 0 },
        },
      ),
    );
    expect(failing.messages.at(-1)?.text).toContain('etwas schiefgelaufen');
    expect(failing.state.flowId).toBeNull();
    const badArgs = await runTurn(
      turnInput(
        outcomeFlows,
        { kind: 'message', text: 'check' },
        {
          actions: actions(),
          state: { flowId: null, stepId: null, awaiting: null, vars: { n: { x: 1 } }, misses: 0 },
        },
      ),
    );
    expect(badArgs.messages.map((m) => m.text)).toEqual([expect.stringContaining('etwas schiefgelaufen')]);
  });

  it('core actions return effects and the new locale applies within the same turn', async () => {
    const lang = flowSetOf([
      {
        id: 'lang',
        triggers: { keywords: ['english'] },
        steps: {
          switch: { action: 'contact.set_locale', with: { locale: 'en' }, next: 'tag' },
          tag: { action: 'contact.tag', with: { add: ['english'] }, next: 'remember' },
          remember: {
            action: 'contact.remember',
            with: { attributes: { via: '{{contact.channel}}' } },
            next: 'done',
          },
          done: { say: { de: 'Deutsch', en: 'English now' } },
        },
      },
    ]);
    const out = await runTurn(turnInput(lang, { kind: 'message', text: 'english' }));
    expect(out.messages).toEqual([{ text: 'English now' }]);
    expect(out.effects).toEqual([
      { kind: 'set-locale', locale: 'en' },
      { kind: 'tag-contact', add: ['english'] },
      { kind: 'remember', attributes: { via: 'telegram' } },
    ]);
  });
});

describe('branches and loops', () => {
  it('takes the first branch whose condition holds, the case without when as default', async () => {
    const branching = flowSetOf([
      {
        id: 'age',
        triggers: { keywords: ['alter'] },
        steps: {
          ask: {
            ask: 'Alter?',
            expect: 'number',
            save: 'age',
            branch: [{ when: { var: 'vars.age', gte: 18 }, goto: 'adult' }, { goto: 'young' }],
          },
          adult: { say: 'erwachsen' },
          young: { say: 'jung' },
        },
      },
    ]);
    const chat = new Chat(branching);
    await chat.send('alter');
    await chat.send('18');
    expect(chat.texts()).toEqual(['erwachsen']);
    await chat.send('alter');
    await chat.send('17,5');
    expect(chat.texts()).toEqual(['jung']);
  });

  it('stops a looping flow after 50 steps with one apology and no effects', async () => {
    const looping = flowSetOf([
      {
        id: 'loop',
        triggers: { keywords: ['loop'] },
        steps: {
          a: { say: 'a', action: 'contact.tag', with: { add: ['x'] }, next: 'b' },
          b: { say: 'b', goto_flow: 'loop.a' },
        },
      },
    ]);
    const out = await runTurn(turnInput(looping, { kind: 'message', text: 'loop' }));
    expect(out.messages).toHaveLength(1);
    expect(out.messages[0]?.text).toContain('etwas schiefgelaufen');
    expect(out.effects).toEqual([]);
    expect(out.state.flowId).toBeNull();
    expect(out.trace).toHaveLength(50);
  });
});

describe('determinism and interceptors', () => {
  it('gives the same output for the same input', async () => {
    const input = turnInput(flows, { kind: 'message', isStart: true });
    expect(await runTurn(input)).toEqual(await runTurn(structuredClone(input)));
  });

  it('runs interceptors in order; the first answer wins, a failing one is skipped', async () => {
    const calls: string[] = [];
    const broken: InboundInterceptor = {
      name: 'broken',
      intercept: async () => {
        calls.push('broken');
        throw new Error('oops');
      },
    };
    const stop: InboundInterceptor = {
      name: 'stop',
      intercept: async (input) => {
        calls.push('stop');
        if (input.event.kind !== 'message' || input.event.text !== 'STOP') return null;
        return { state: input.state, messages: [{ text: 'Abgemeldet.' }], effects: [], trace: [] };
      },
    };
    const stopped = await runInterceptorsThenTurn(
      [broken, stop],
      turnInput(flows, { kind: 'message', text: 'STOP' }),
    );
    expect(stopped.messages).toEqual([{ text: 'Abgemeldet.' }]);
    expect(stopped.trace).toEqual(['interceptor:stop']);
    expect(calls).toEqual(['broken', 'stop']);
    const passed = await runInterceptorsThenTurn(
      [stop],
      turnInput(flows, { kind: 'message', text: 'hallo' }),
    );
    expect(passed.state.flowId).toBe('menu');
  });
});
