/** The CSV helpers moved to src/http/csv.ts (shared by CRM, referral and insights exports). */
export * from '../../http/csv.js';
