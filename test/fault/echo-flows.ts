/**
 * A flow set for fault injection: one flow that answers every message with exactly one reply naming it
 * ("got <text>"), so each reply can be traced to its inbound event. The features' data files are the
 * sample brand's.
 */
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SAMPLE_FLOWS = join(import.meta.dirname, '..', '..', 'flows');

export function writeEchoFlows(): string {
  const dir = mkdtempSync(join(tmpdir(), 'plausch-echo-flows-'));
  for (const part of ['handoff', 'faq', 'newsletter', 'referrals', 'events']) {
    cpSync(join(SAMPLE_FLOWS, part), join(dir, part), { recursive: true });
  }
  writeFileSync(join(dir, 'settings.yaml'), 'default_locale: en\nlocales: [en]\n');
  writeFileSync(
    join(dir, 'echo.yaml'),
    [
      'id: fallback',
      'triggers:',
      '  fallback: true',
      'steps:',
      '  listen:',
      '    ask: "got {{vars.t | \\"nothing\\"}}"',
      '    expect: text',
      '    save: t',
      '    goto: listen',
      '',
    ].join('\n'),
  );
  return dir;
}

/** The reply the echo flow gives to message `seq` of a chat (the first message starts the flow). */
export function expectedReply(text: string, seq: number): string {
  return seq === 1 ? 'got nothing' : `got ${text}`;
}
