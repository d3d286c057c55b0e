/**
 * Keeps one WhatsApp Web session alive: builds a client, follows its QR / ready / disconnected events,
 * and after a disconnect builds a fresh client with exponential backoff (1 s doubling to 5 min). A logout
 * on the phone needs a new QR scan, which the next client shows.
 */
import QRCode from 'qrcode';
import type { Logger } from '../../logger.js';
import type { WhatsAppWebClient, WhatsAppWebRuntime } from './client.js';

export type ConnectionPhase = 'stopped' | 'starting' | 'waiting-for-qr' | 'ready' | 'reconnecting';

export interface ConnectionOptions {
  runtime: WhatsAppWebRuntime;
  logger: Logger;
  /** Called on every `message` event of the current client. */
  onMessage(event: unknown): void;
  /** Called before each new client starts (removes stale browser locks). */
  beforeLaunch?: () => void;
  /** Prints the QR code for a terminal; default writes to stdout. */
  printQr?: (terminalQr: string) => void;
  initialDelayMs?: number;
  maxDelayMs?: number;
  now?: () => number;
}

export class WhatsAppWebConnection {
  phase: ConnectionPhase = 'stopped';
  /** True after the phone logged this session out, until a new scan succeeded. */
  loggedOut = false;
  private client: WhatsAppWebClient | null = null;
  private qrDataUrl: string | null = null;
  private failures = 0;
  private reconnectAt: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  private generation = 0;

  constructor(private readonly options: ConnectionOptions) {}

  get currentClient(): WhatsAppWebClient | null {
    return this.phase === 'ready' ? this.client : null;
  }

  get qrCode(): string | null {
    return this.qrDataUrl;
  }

  /** Milliseconds until the next reconnect attempt, when one is scheduled. */
  get reconnectInMs(): number | null {
    if (this.reconnectAt === null) return null;
    return Math.max(0, this.reconnectAt - this.now());
  }

  /** The delay before reconnect attempt number `failures` (1-based). */
  backoffDelay(failures: number): number {
    const initial = this.options.initialDelayMs ?? 1000;
    const max = this.options.maxDelayMs ?? 300_000;
    return Math.min(max, initial * 2 ** Math.max(0, failures - 1));
  }

  start(): void {
    if (this.phase !== 'stopped') return;
    this.launch();
  }

  async stop(): Promise<void> {
    this.generation += 1;
    this.phase = 'stopped';
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.reconnectAt = null;
    const client = this.client;
    this.client = null;
    await client
      ?.destroy()
      .catch((error: unknown) => this.options.logger.warn({ err: error }, 'destroying the client failed'));
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  private launch(): void {
    const generation = ++this.generation;
    this.phase = 'starting';
    this.reconnectAt = null;
    try {
      this.options.beforeLaunch?.();
    } catch (error) {
      this.options.logger.warn({ err: error }, 'could not clean the session directory');
    }
    const client = this.options.runtime.createClient();
    this.client = client;
    // Events of a client we replaced must not touch the state of the current one.
    const current = () => generation === this.generation;
    client.on('qr', (qr) => {
      if (current() && typeof qr === 'string') void this.showQr(qr);
    });
    client.on('authenticated', () => {
      if (current()) this.qrDataUrl = null;
    });
    client.on('ready', () => {
      if (!current()) return;
      this.phase = 'ready';
      this.failures = 0;
      this.loggedOut = false;
      this.qrDataUrl = null;
      this.options.logger.info('WhatsApp Web ready');
    });
    client.on('auth_failure', (reason) => {
      if (!current()) return;
      this.options.logger.error({ reason }, 'WhatsApp Web authentication failed; a new QR scan is needed');
      this.loggedOut = true;
    });
    client.on('disconnected', (reason) => {
      if (current()) this.handleDisconnect(String(reason));
    });
    client.on('message', (event) => {
      if (current()) this.options.onMessage(event);
    });
    client.initialize().catch((error: unknown) => {
      if (!current()) return;
      this.options.logger.error({ err: error }, 'WhatsApp Web failed to start');
      this.handleDisconnect('INITIALIZE_FAILED');
    });
  }

  private async showQr(qr: string): Promise<void> {
    this.phase = 'waiting-for-qr';
    try {
      this.qrDataUrl = await QRCode.toDataURL(qr);
      const terminal = await QRCode.toString(qr, { type: 'terminal', small: true });
      const print = this.options.printQr ?? ((text: string) => process.stdout.write(`${text}\n`));
      print(`Scan this QR code with WhatsApp (Settings → Linked devices) to connect Plausch:\n${terminal}`);
    } catch (error) {
      this.options.logger.error({ err: error }, 'could not render the WhatsApp QR code');
    }
  }

  private handleDisconnect(reason: string): void {
    if (this.phase === 'stopped' || this.phase === 'reconnecting') return;
    const client = this.client;
    this.client = null;
    // The library destroys the client on most disconnects; destroying twice is harmless, a leaked browser is not.
    void client?.destroy().catch(() => {});
    if (reason === 'LOGOUT') this.loggedOut = true;
    this.failures += 1;
    const delay = this.backoffDelay(this.failures);
    this.phase = 'reconnecting';
    this.reconnectAt = this.now() + delay;
    this.options.logger.warn(
      { reason, delayMs: delay, failures: this.failures },
      'WhatsApp Web disconnected; reconnecting',
    );
    this.qrDataUrl = null;
    const generation = ++this.generation;
    this.timer = setTimeout(() => {
      if (generation === this.generation) this.launch();
    }, delay);
  }
}
