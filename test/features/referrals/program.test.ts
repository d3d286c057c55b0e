import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  loadReferralProgram,
  ProgramError,
  parseReferralProgram,
} from '../../../src/features/referrals/program-loader.js';
import { PROGRAM_YAML } from './support.js';

function problemsOf(text: string): string[] {
  try {
    parseReferralProgram(text, 'campaigns.yaml');
  } catch (error) {
    if (error instanceof ProgramError) return error.message.split('\n');
    throw error;
  }
  return [];
}

describe('campaigns.yaml', () => {
  it('loads the sample brand programme', async () => {
    const program = await loadReferralProgram(resolve('flows/referrals/campaigns.yaml'));
    expect(program.default_campaign).toBe('freunde');
    expect(program.campaigns.freunde?.milestones.map((m) => m.friends)).toEqual([3, 10]);
    expect(Object.keys(program.coupon_pools)).toEqual(['FREUNDE10', 'KAFFEE-PAKET']);
  });

  it('parses the test programme with defaults', () => {
    const program = parseReferralProgram(PROGRAM_YAML, 'x.yaml');
    expect(program.campaigns.sommer?.utm).toEqual({
      source: 'referral',
      medium: 'messenger',
      campaign: 'sommer',
    });
  });

  it('reports meaning errors with file:line:column', () => {
    const text = PROGRAM_YAML.replace('default_campaign: freunde', 'default_campaign: winter').replace(
      'share_text: "Sommer: {{link}}"',
      'share_text: "Sommer ohne Link"',
    );
    const problems = problemsOf(text);
    expect(problems).toContain(
      'campaigns.yaml:2:19: default_campaign: no campaign "winter" (known: freunde, sommer)',
    );
    expect(
      problems.some((p) =>
        /^campaigns\.yaml:23:17: campaigns\.sommer\.share_text: the share text must contain \{\{link\}\}/.test(
          p,
        ),
      ),
    ).toBe(true);
  });

  it('points at unknown keys and unknown coupon pools', () => {
    const problems = problemsOf(
      PROGRAM_YAML.replace('coupon_pool: LEER', 'coupon_pool: NIRGENDS').replace(
        '    landing_url: https://shop.example/sommer',
        '    landing_ulr: https://shop.example/sommer',
      ),
    );
    expect(problems.some((p) => /^campaigns\.yaml:21:5: .*unknown key "landing_ulr"/.test(p))).toBe(true);
  });

  it('reports an unknown coupon pool', () => {
    const problems = problemsOf(PROGRAM_YAML.replace('coupon_pool: LEER', 'coupon_pool: NIRGENDS'));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^campaigns\.yaml:17:22: .*unknown coupon pool "NIRGENDS"/);
  });

  it('reports YAML syntax errors with a position', () => {
    const problems = problemsOf('default_campaign: [unclosed\n');
    expect(problems[0]).toMatch(/^campaigns\.yaml:\d+:\d+: /);
  });
});

describe('fillTemplate', () => {
  it('writes counts with the singular or plural word', async () => {
    const { fillTemplate } = await import('../../../src/features/referrals/texts.js');
    expect(fillTemplate('{{n|Freund|Freunde}}', { n: 1 })).toBe('1 Freund');
    expect(fillTemplate('{{n|Freund|Freunde}}', { n: 0 })).toBe('0 Freunde');
    expect(fillTemplate('{{n|Freund|Freunde}} und {{m}}', { n: 3, m: 'x' })).toBe('3 Freunde und x');
    expect(fillTemplate('{{unknown}}', {})).toBe('{{unknown}}');
  });
});
