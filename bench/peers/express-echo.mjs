// Peer for the ingest benchmark: express 5 + express.json answering each webhook with its own body.
// The floor of "an HTTP endpoint in Node that parses JSON": no validation, no storage.
import express from 'express';

const app = express();
app.post('/webhooks/telegram', express.json({ limit: '1mb' }), (req, res) => {
  res.json(req.body);
});
const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`READY ${server.address().port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
