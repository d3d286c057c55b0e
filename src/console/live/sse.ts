/**
 * The console's live stream (Server-Sent Events at /console/api/events). It forwards runtime events as small
 * notices with ids and statuses only; the browser refetches what it shows through the permission-checked API.
 * A comment line every 15 s keeps proxies from closing an idle stream; the browser's EventSource reconnects.
 */
import type { Request, Response } from 'express';
import type { RuntimeEvent, RuntimeEventBus } from '../../runtime/events.js';

export interface LiveNotice {
  type: RuntimeEvent['type'];
  conversationId: string | null;
  status?: string;
  assignedAgentId?: string | null;
  outboxId?: string;
  messageId?: string;
  author?: string;
  direction?: string;
}

export function noticeOf(event: RuntimeEvent): LiveNotice {
  switch (event.type) {
    case 'message-recorded':
      return {
        type: event.type,
        conversationId: event.conversationId,
        messageId: event.message.id,
        author: event.message.author,
        direction: event.message.direction,
      };
    case 'conversation-changed':
      return {
        type: event.type,
        conversationId: event.conversationId,
        status: event.status,
        assignedAgentId: event.assignedAgentId,
      };
    case 'outbox-changed':
      return {
        type: event.type,
        conversationId: event.conversationId,
        outboxId: event.outboxId,
        status: event.status,
      };
  }
}

export function streamEvents(events: RuntimeEventBus, req: Request, res: Response): void {
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.write('retry: 2000\n\n');
  res.write(`event: ready\ndata: {}\n\n`);
  let counter = 0;
  const unsubscribe = events.subscribe((event) => {
    counter += 1;
    res.write(`id: ${counter}\nevent: change\ndata: ${JSON.stringify(noticeOf(event))}\n\n`);
  });
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
  heartbeat.unref();
  const end = () => {
    clearInterval(heartbeat);
    unsubscribe();
  };
  req.on('close', end);
  res.on('error', end);
}
