/** Turns a validated widget POST into an `InboundMessage`. Pure. */
import type { InboundMessage } from '../../model/index.js';
import type { WebchatPost } from './protocol.js';

export function webchatPostToInbound(post: WebchatPost, receivedAt: Date): InboundMessage {
  return {
    channel: 'webchat',
    // Scoped by session so nobody can make another visitor's message look like a duplicate.
    nativeId: `${post.sessionId}:${post.messageId}`,
    contactNativeId: post.sessionId,
    receivedAt,
    ...(post.text !== undefined ? { text: post.text } : {}),
    ...(post.payload !== undefined ? { buttonPayload: post.payload } : {}),
    ...(post.start ? { isStart: true } : {}),
    ...(post.start && post.startPayload ? { startPayload: post.startPayload } : {}),
    ...(post.locale ? { profile: { locale: post.locale } } : {}),
    replyAddress: { sessionId: post.sessionId },
    raw: post,
  };
}
