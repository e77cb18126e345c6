// Answers /ping but never answers /invocations: Mandate's invocation timeout must fire.
import { createServer } from 'node:http';
createServer((req, res) => {
  if (req.url === '/ping') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'Healthy', time_of_last_update: Math.floor(Date.now() / 1000) }));
    return;
  }
  req.resume(); // read the body, never answer
}).listen(Number(process.env.PORT), '127.0.0.1');
