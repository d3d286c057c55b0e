/** The CRM feature's public surface for the server. */
export { type CrmFeature, type CrmOptions, createCrmFeature } from './feature.js';
export type { ConsentLookup, LeadPayload } from './lead.js';
