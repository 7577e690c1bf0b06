// server.js - the baseline of scripts/bench-serve.sh: a plain Node.js
// WhatsApp webhook as a bot is commonly written (node:http, no framework):
// the X-Hub-Signature-256 HMAC checked in constant time, the JSON parsed,
// 200 answered at once, then one text reply per message sent to the Graph
// API over kept-alive HTTP. Nothing is stored: a crash loses what was
// acknowledged and not yet answered, and a redelivery is answered twice.
//   SAMVAD_WA_APP_SECRET=... SAMVAD_WA_TOKEN=... SAMVAD_WA_PHONE_NUMBER_ID=...
//   SAMVAD_WA_GRAPH_URL=http://127.0.0.1:PORT node server.js PORT
'use strict';
const http = require('node:http');
const crypto = require('node:crypto');

const secret = process.env.SAMVAD_WA_APP_SECRET;
const token = process.env.SAMVAD_WA_TOKEN;
const phone = process.env.SAMVAD_WA_PHONE_NUMBER_ID;
const graph = new URL(process.env.SAMVAD_WA_GRAPH_URL);
const port = Number(process.argv[2] || 8081);
const maxBody = 4 * 1024 * 1024;
// As many connections to the Graph API as samvad's senders (256 by default):
// with fewer, the replies queue behind them, and the peer would answer
// webhooks fast while its replies fall behind.
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

function reply(to, text) {
  const body = JSON.stringify({
    messaging_product: 'whatsapp', recipient_type: 'individual', to: '+' + to,
    type: 'text', text: { preview_url: false, body: text },
  });
  const req = http.request({
    agent, method: 'POST', hostname: graph.hostname, port: graph.port,
    path: `/v21.0/${phone}/messages`,
    headers: {
      'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body),
      Authorization: `Bearer ${token}`,
    },
  }, (res) => res.resume());
  req.on('error', () => {});
  req.end(body);
}

function valid(raw, header) {
  if (typeof header !== 'string' || !header.startsWith('sha256=')) return false;
  const want = crypto.createHmac('sha256', secret).update(raw).digest();
  const got = Buffer.from(header.slice(7), 'hex');
  return got.length === want.length && crypto.timingSafeEqual(got, want);
}

http.createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== '/webhook') {
    res.writeHead(404).end();
    return;
  }
  const chunks = [];
  let size = 0;
  req.on('data', (c) => {
    size += c.length;
    if (size <= maxBody) chunks.push(c);
  });
  req.on('end', () => {
    if (size > maxBody) return res.writeHead(413).end();
    const raw = Buffer.concat(chunks);
    if (!valid(raw, req.headers['x-hub-signature-256'])) return res.writeHead(401).end();
    let payload;
    try { payload = JSON.parse(raw); } catch { return res.writeHead(400).end(); }
    res.writeHead(200).end();
    for (const entry of payload.entry || []) {
      for (const change of entry.changes || []) {
        for (const m of (change.value && change.value.messages) || []) {
          const text = m.type === 'text' ? m.text.body : m.type;
          reply(m.from, `Received: ${text}`);
        }
      }
    }
  });
}).listen(port, '127.0.0.1', function listening() {
  console.log(this.address().port);
});
