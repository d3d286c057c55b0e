// Peer for the end-to-end benchmark: the smallest telegraf webhook bot, answering every message with
// ctx.reply (one sendMessage to the Bot API). Stateless: nothing stored, no dedupe, no ordering guarantee.
import { createServer } from 'node:http';
import { Telegraf } from 'telegraf';

const bot = new Telegraf(process.env.TELEGRAM_BOT_TOKEN, {
  telegram: { apiRoot: process.env.TELEGRAM_API_ROOT, webhookReply: false },
});
bot.botInfo = { id: 123456, is_bot: true, first_name: 'Bench', username: 'bench_bot' };
bot.on('message', (ctx) => ctx.reply(`Danke, ${ctx.from.first_name}! Du schriebst: ${ctx.message.text}`));
const callback = bot.webhookCallback('/webhooks/telegram', {
  secretToken: process.env.TELEGRAM_WEBHOOK_SECRET,
});
const server = createServer(callback);
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`READY ${server.address().port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
