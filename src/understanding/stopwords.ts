/**
 * Word lists for German and English: stop words say nothing about which question is asked (articles,
 * pronouns, auxiliaries, greetings, filler); question words say a little (wo → a place, wann → a time)
 * and count with a reduced weight. Kept in spelling-key form (see normalize.ts).
 */
import { spellingKey } from './normalize.js';

const GERMAN_STOP_WORDS = `
aber alle allem allen aller alles als also am an ander andere anderen anders auch auf aus bei beim bin bis
bisschen bitte bzw da dabei dafuer damit dann das dass davon dazu dein deine deinem deinen deiner deines dem den
denn der des dessen deshalb die dies diese diesem diesen dieser dieses doch dort du durch eigentlich ein eine
einem einen einer eines einfach einmal er es etwa etwas euch euer eure eurem euren eurer eures fuer gibt gibts
gern gerne gestern ganz gar geht gehts habe haben habt hab hast hat hatte hatten hallo heute hi hier hey
ich ihm ihn ihnen ihr ihre ihrem ihren ihrer ihres im in ins irgendwie ist ja jetzt kann kannst koennen koennt
koennte koenntet kein keine keinen man mal mehr mein meine meinem meinen meiner meines mich mir mit moechte
moechten moin muss muessen nach nein nicht nichts noch nun nur ob oder ohne schon sehr sein seine seines sich
sie sind so soll sollen sollte sonst ueber um und uns unser unsere unseres unter viel viele vom von vor war
waere weil weiss wenn wer werde werden wieder will wir wird wollen wuerde wuerden zu zum zur zwar servus
tschuess danke dank vielen lg gruss gruesse liebe lieber leute team guten tag morgen abend okay ok usw genau
wirklich vielleicht trotzdem bereits immer nochmal kurz grad gerade gleich jemals sowas son nem nen ne is isch
i a dich dir sei seid jede jedem jeden jeder jedes drin drinnen dran drauf
`;

const ENGLISH_STOP_WORDS = `
a about all am an and any are as at be been being but by can could did do does doing for from get got had
has have having he hello her here hey hi him his i if in into is it its just let me more my no not now of
on or our please should so some than thanks thank that the their them then there these they this those to
too u up us very was we were will with would yes you your yours want wanna need like im ive
`;

const QUESTION_WORDS = `
wann warum was welche welchem welchen welcher welches wie wieso wo woher wohin wieviel wieviele
what when where which who why how
`;

function wordSet(list: string): ReadonlySet<string> {
  return new Set(
    list
      .split(/\s+/)
      .filter(Boolean)
      .map((word) => spellingKey(word)),
  );
}

const STOP_WORDS_BY_LANGUAGE = { de: wordSet(GERMAN_STOP_WORDS), en: wordSet(ENGLISH_STOP_WORDS) };
const STOP_WORDS: ReadonlySet<string> = new Set([...STOP_WORDS_BY_LANGUAGE.de, ...STOP_WORDS_BY_LANGUAGE.en]);
const QUESTION_WORDS_BY_LANGUAGE = {
  de: wordSet(
    'wann warum was welche welchem welchen welcher welches wie wieso wo woher wohin wieviel wieviele',
  ),
  en: wordSet('what when where which who why how'),
};

/** A stop or question word of this language: evidence for the language, not for a topic. */
export function isStopWordOf(keyToken: string, language: 'de' | 'en'): boolean {
  return STOP_WORDS_BY_LANGUAGE[language].has(keyToken) || QUESTION_WORDS_BY_LANGUAGE[language].has(keyToken);
}
const QUESTION_WORD_SET = wordSet(QUESTION_WORDS);

/**
 * Small words that are stop words for the topic but change what is asked: "kein Abo mehr" is a cancellation,
 * "noch nicht verschickt" is still changeable, "schon unterwegs" is a status question. They become one cue
 * term each (both languages share it) with the weight of a question word.
 */
const CUES: Record<string, string> = Object.fromEntries(
  (
    [
      [
        'neg',
        'kein keine keinen keiner keinem nicht nichts nix nie niemals nimmer no not never none nothing dont cant wont',
      ],
      ['more', 'mehr more weniger less'],
      ['still', 'noch still yet'],
      ['already', 'schon bereits already'],
      ['again', 'wieder nochmal again'],
    ] as const
  ).flatMap(([cue, words]) => words.split(' ').map((word) => [spellingKey(word), cue])),
);

/** The cue a stop word carries (`neg`, `more`, `still`, `already`, `again`), if any. */
export function cueOf(keyToken: string): string | undefined {
  return CUES[keyToken];
}

export function isStopWord(keyToken: string): boolean {
  return STOP_WORDS.has(keyToken);
}

export function isQuestionWord(keyToken: string): boolean {
  return QUESTION_WORD_SET.has(keyToken);
}
