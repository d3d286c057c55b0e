export * from './channel.js';
export * from './contact.js';
export * from './messages.js';
