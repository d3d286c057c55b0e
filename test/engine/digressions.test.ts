/**
 * Digressions at prompts (a new question, another flow's keyword), strict prompts, media the bot cannot read,
 * and visits (first-time vs returning). Pure engine with a stand-in question detector.
 */
import { describe, expect, it } from 'vitest';
import type { QuestionDetector } from '../../src/engine/types.js';
import { flowSetOf } from './support/load-flows.js';
import { Chat, NOW, testContact } from './support/turns.js';

const signupFlow = {
  id: 'signup',
  triggers: { keywords: ['anmelden'] },
  steps: {
    email: { ask: 'Deine E-Mail?', expect: 'email', save: 'email', next: 'sure' },
    sure: { ask: 'Wirklich anmelden?', expect: 'yes_no', save: 'sure', next: 'done' },
    done: { say: 'Danke, {{vars.email}}.' },
  },
};
const strictFlow = {
  id: 'consent',
  triggers: { keywords: ['einwilligung'] },
  steps: {
    ok: { ask: 'Einverstanden?', expect: 'yes_no', strict: true, save: 'ok', next: 'done' },
    done: { say: 'Notiert.' },
  },
};
const hoursFlow = {
  id: 'hours',
  triggers: { keywords: ['öffnungszeiten'] },
  steps: { tell: { say: 'Mo–Fr 9–17 Uhr.' } },
};
const questionFlow = {
  id: 'question',
  triggers: { question: true },
  steps: { answer: { say: 'Antwort auf: {{vars.last_input}}' } },
};
const fallbackFlow = {
  id: 'fallback',
  triggers: { fallback: true },
  steps: { sorry: { say: 'Fallback: {{vars.last_input}}' } },
};
const flows = flowSetOf([signupFlow, strictFlow, hoursFlow, questionFlow, fallbackFlow]);

/** Knows exactly one question; counts how often it was asked. */
function detector(): QuestionDetector & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    isConfidentQuestion(text) {
      asked.push(text);
      return /versand/i.test(text);
    },
  };
}

describe('digressions at prompts', () => {
  it('answers a confident question at a typed-input prompt and asks the pending question again', async () => {
    const chat = new Chat(flows, { questions: detector() });
    await chat.send('anmelden');
    await chat.send('wie lange dauert der versand');
    expect(chat.texts()).toEqual([
      'Antwort auf: wie lange dauert der versand',
      'Zurück zu meiner Frage: Deine E-Mail?',
    ]);
    expect(chat.state).toMatchObject({ flowId: 'signup', stepId: 'email', awaiting: 'input', misses: 0 });
    await chat.send('anna@beispiel.example');
    expect(chat.texts()).toEqual(['Wirklich anmelden?']);
  });

  it('never takes a valid answer for a digression and does not even ask the detector', async () => {
    const questions = detector();
    const chat = new Chat(flows, { questions });
    await chat.send('anmelden');
    await chat.send('meine mail: versand@beispiel.example');
    expect(chat.state).toMatchObject({ stepId: 'sure', vars: { email: 'versand@beispiel.example' } });
    await chat.send('ja');
    expect(chat.texts()).toEqual(['Danke, versand@beispiel.example.']);
    expect(questions.asked).toEqual([]);
  });

  it('treats a plain question (question mark) as one even when the knowledge base does not know it', async () => {
    const chat = new Chat(flows, { questions: detector() });
    await chat.send('anmelden');
    await chat.send('anna@beispiel.example');
    await chat.send('Habt ihr auch Tee?');
    expect(chat.texts()).toEqual([
      'Antwort auf: Habt ihr auch Tee?',
      'Zurück zu meiner Frage: Wirklich anmelden?',
    ]);
    expect(chat.state).toMatchObject({ stepId: 'sure', misses: 0 });
  });

  it('counts short input that fits nothing as a miss, as before', async () => {
    const chat = new Chat(flows, { questions: detector() });
    await chat.send('anmelden');
    await chat.send('anna@beispiel.example');
    await chat.send('vielleicht');
    expect(chat.texts()).toEqual(['Antworte bitte mit Ja oder Nein.', 'Wirklich anmelden?']);
    expect(chat.state).toMatchObject({ stepId: 'sure', misses: 1 });
  });

  it("runs another flow's keyword and comes back when that flow ends in the same turn", async () => {
    const chat = new Chat(flows);
    await chat.send('anmelden');
    await chat.send('eure öffnungszeiten bitte');
    expect(chat.texts()).toEqual(['Mo–Fr 9–17 Uhr.', 'Zurück zu meiner Frage: Deine E-Mail?']);
    expect(chat.state).toMatchObject({ flowId: 'signup', stepId: 'email', misses: 0 });
  });

  it('keeps the misses the prompt had before the digression', async () => {
    const chat = new Chat(flows, { questions: detector() });
    await chat.send('anmelden');
    await chat.send('nö');
    expect(chat.state.misses).toBe(1);
    await chat.send('Versand?');
    expect(chat.state).toMatchObject({ stepId: 'email', misses: 1 });
  });

  it('leaves a strict prompt for nothing typed: questions and keywords get the re-prompt', async () => {
    const questions = detector();
    const chat = new Chat(flows, { questions });
    await chat.send('einwilligung');
    await chat.send('wie lange dauert der versand?');
    expect(chat.texts()).toEqual(['Antworte bitte mit Ja oder Nein.', 'Einverstanden?']);
    expect(chat.state).toMatchObject({ flowId: 'consent', stepId: 'ok', misses: 1 });
    // The keyword is a second miss (then the fallback takes over, as for any answer that does not fit).
    await chat.send('öffnungszeiten');
    expect(chat.texts()).toEqual(['Fallback: öffnungszeiten']);
    expect(questions.asked).toEqual([]);
  });

  it('treats a failing detector as "no question"', async () => {
    const chat = new Chat(flows, {
      questions: {
        isConfidentQuestion() {
          throw new Error('matcher down');
        },
      },
    });
    await chat.send('anmelden');
    await chat.send('wie lange dauert der versand');
    expect(chat.state).toMatchObject({ stepId: 'email', misses: 1 });
  });
});

describe('media the bot cannot read', () => {
  it('answers a voice note at a yes/no prompt honestly and asks again, without a miss', async () => {
    const chat = new Chat(flows);
    await chat.send('anmelden');
    await chat.send('anna@beispiel.example');
    await chat.send({ kind: 'message', media: { kind: 'audio' } });
    expect(chat.texts()[0]).toContain('Ich kann Sprachnachrichten noch nicht anhören');
    expect(chat.texts()[1]).toBe('Wirklich anmelden?');
    expect(chat.state).toMatchObject({ stepId: 'sure', misses: 0 });
  });

  it('answers media at a strict prompt too, and outside any flow without starting the fallback', async () => {
    const chat = new Chat(flows);
    await chat.send({ kind: 'message', media: { kind: 'location' } });
    expect(chat.texts()).toEqual([
      'Danke für deinen Standort! Damit kann ich leider noch nichts anfangen – schreib mir kurz, worum es geht.',
    ]);
    await chat.send('einwilligung');
    await chat.send({ kind: 'message', media: { kind: 'sticker' } });
    expect(chat.texts()[1]).toBe('Einverstanden?');
    expect(chat.state.misses).toBe(0);
  });

  it('reads a photo caption as text', async () => {
    const chat = new Chat(flows);
    await chat.send('anmelden');
    await chat.send({ kind: 'message', media: { kind: 'image' }, text: 'anna@beispiel.example' });
    expect(chat.state).toMatchObject({ stepId: 'sure', vars: { email: 'anna@beispiel.example' } });
  });

  it('uses the marketer’s text from settings', async () => {
    const custom = flowSetOf([signupFlow], {
      texts: { media_audio: { de: 'Bitte tippen statt sprechen.' } },
    });
    const chat = new Chat(custom);
    await chat.send({ kind: 'message', media: { kind: 'audio' } });
    expect(chat.texts()).toEqual(['Bitte tippen statt sprechen.']);
  });
});

describe('visits', () => {
  const greet = flowSetOf([
    {
      id: 'hi',
      triggers: { keywords: ['hallo'] },
      steps: {
        greet: {
          branch: [
            { when: { var: 'visit.greeted', equals: true }, goto: 'again' },
            { when: { var: 'visit.returning', equals: true }, goto: 'back' },
            { goto: 'first' },
          ],
        },
        first: { set: { 'visit.greeted': true }, say: 'Willkommen!' },
        back: { set: { 'visit.greeted': true }, say: 'Schön, dass du wieder da bist!' },
        again: { say: 'Hallo nochmal!' },
      },
    },
  ]);

  it('tells a first-time visitor from a returning one and forgets visit variables after a pause', async () => {
    let now = NOW;
    const chat = new Chat(greet, { contact: testContact({ createdAt: NOW }) });
    const at = (ms: number) => {
      now = new Date(now.getTime() + ms);
      return { kind: 'message' as const, text: 'hallo' };
    };
    await chat.sendAt(at(0), now);
    expect(chat.texts()).toEqual(['Willkommen!']);
    await chat.sendAt(at(5 * 60_000), now);
    expect(chat.texts()).toEqual(['Hallo nochmal!']);
    await chat.sendAt(at(2 * 86_400_000), now);
    expect(chat.texts()).toEqual(['Schön, dass du wieder da bist!']);
    expect(chat.state.visit).toMatchObject({ returning: true, vars: { greeted: true } });
  });

  it('counts a contact known from before visits were kept as returning', async () => {
    const chat = new Chat(greet, {
      contact: testContact({ createdAt: new Date(NOW.getTime() - 86_400_000) }),
    });
    await chat.send('hallo');
    expect(chat.texts()).toEqual(['Schön, dass du wieder da bist!']);
  });
});
