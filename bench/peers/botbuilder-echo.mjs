// Peer for the idle-memory comparison: a Bot Framework echo bot (botbuilder CloudAdapter behind express,
// authentication off as in the Emulator), the shape of Microsoft's EchoBot sample.
import { ActivityHandler, CloudAdapter, ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import express from 'express';

const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
const bot = new ActivityHandler();
bot.onMessage(async (context, next) => {
  await context.sendActivity(`Echo: ${context.activity.text}`);
  await next();
});
const app = express();
app.post('/api/messages', express.json(), (req, res) => adapter.process(req, res, (c) => bot.run(c)));
const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`READY ${server.address().port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
