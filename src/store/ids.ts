/**
 * Time-sortable ids: rows created later sort later, which keeps outbox and transcript order stable.
 * Layout: 9 chars of time (base 36 ms), 4 chars of sequence within the millisecond, 10 hex chars that make
 * ids from different processes differ. Those come from a random pool refilled 4 KiB at a time, so an id
 * costs no system call (randomBytes per id was a measurable share of the hot path).
 */
import { randomBytes } from 'node:crypto';

const POOL_BYTES = 4096;
const ID_RANDOM_BYTES = 5;

let lastTime = 0;
let sequence = 0;
let pool = randomBytes(POOL_BYTES);
let poolOffset = 0;

function randomHex(): string {
  if (poolOffset + ID_RANDOM_BYTES > POOL_BYTES) {
    pool = randomBytes(POOL_BYTES);
    poolOffset = 0;
  }
  const hex = pool.toString('hex', poolOffset, poolOffset + ID_RANDOM_BYTES);
  poolOffset += ID_RANDOM_BYTES;
  return hex;
}

export function newId(now: number = Date.now()): string {
  if (now === lastTime) {
    sequence += 1;
  } else {
    lastTime = now;
    sequence = 0;
  }
  const time = now.toString(36).padStart(9, '0');
  const seq = sequence.toString(36).padStart(4, '0');
  return `${time}${seq}${randomHex()}`;
}
