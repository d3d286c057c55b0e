/** Time-sortable ids: rows created later sort later, which keeps outbox and transcript order stable. */
import { randomBytes } from 'node:crypto';

let lastTime = 0;
let sequence = 0;

export function newId(now: number = Date.now()): string {
  if (now === lastTime) {
    sequence += 1;
  } else {
    lastTime = now;
    sequence = 0;
  }
  const time = now.toString(36).padStart(9, '0');
  const seq = sequence.toString(36).padStart(4, '0');
  return `${time}${seq}${randomBytes(5).toString('hex')}`;
}
