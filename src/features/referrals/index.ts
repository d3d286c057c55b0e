/** The referral feature's public surface for the server. */
export { createReferralsFeature, type ReferralsFeature, type ReferralsOptions } from './feature.js';
export { loadReferralProgram, ProgramError, parseReferralProgram } from './program-loader.js';
export type { ReferralProgram } from './program-schema.js';
