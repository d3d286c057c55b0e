/** Table types of the CRM hand-over: one durable row per lead, which is also its delivery record. */

export type CrmDeliveriesTable = {
  id: string;
  contact_id: string;
  channel: string;
  campaign_id: string | null;
  referrer_contact_id: string | null;
  /** JSON: the lead exactly as it is posted to the CRM. */
  payload: string;
  /** queued | delivering | delivered | failed | not_sent (no CRM configured when the lead was taken) */
  status: string;
  attempts: number;
  next_attempt_at: number;
  /** Lease: the instance delivering this row and until when; an expired lease may be taken over. */
  locked_by: string | null;
  locked_until: number | null;
  last_error: string | null;
  last_status_code: number | null;
  created_at: number;
  delivered_at: number | null;
  failed_at: number | null;
};

export type CrmTables = {
  crm_deliveries: CrmDeliveriesTable;
};
