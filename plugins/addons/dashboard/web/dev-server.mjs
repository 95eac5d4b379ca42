#!/usr/bin/env node
// Development server: the built UI at /ui/ over HTTPS (a throwaway self-signed certificate),
// every other path (requests, streams, WebSocket upgrades) proxied to a Skiff apiserver.
//   node dev-server.mjs --api https://127.0.0.1:6443 [--port 8443] [--dir <built dir>]
// Without --dir it builds into a temporary directory first.
import https from 'node:https';
import tls from 'node:tls';
import {execFileSync} from 'node:child_process';
import {mkdtempSync, readFileSync, existsSync, statSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join, normalize, extname, dirname} from 'node:path';
import {fileURLToPath} from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const TYPES = {'.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.css': 'text/css', '.txt': 'text/plain; charset=utf-8', '.json': 'application/json', '.png': 'image/png', '.svg': 'image/svg+xml'};

function args() {
  const a = {api: 'https://127.0.0.1:6443', port: 8443, dir: ''};
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '');
    if (!(key in a)) { console.error(`dev-server: unknown flag ${argv[i]}; flags: --api URL --port N --dir DIR`); process.exit(1); }
    a[key] = key === 'port' ? Number(argv[i + 1]) : argv[i + 1];
  }
  return a;
}

function selfSignedCert() {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-ui-cert-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-subj', '/CN=localhost', '-days', '1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], {stdio: 'ignore'});
  return {key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem'))};
}

function serveStatic(dir, req, res) {
  let rel = decodeURIComponent(new URL(req.url, 'https://x').pathname.slice('/ui/'.length)) || 'index.html';
  const path = normalize(join(dir, rel));
  if (!path.startsWith(dir) || !existsSync(path) || statSync(path).isDirectory()) {
    res.writeHead(404, {'Content-Type': 'text/plain'}).end('not found\n');
    return;
  }
  res.writeHead(200, {'Content-Type': TYPES[extname(path)] || 'application/octet-stream', 'Cache-Control': 'no-cache'});
  res.end(readFileSync(path));
}

function proxy(api, req, res) {
  const upstream = https.request(new URL(req.url, api), {method: req.method, headers: {...req.headers, host: api.host},
    rejectUnauthorized: false}, (answer) => {
    res.writeHead(answer.statusCode, answer.headers);
    answer.pipe(res);
    // An API that goes away mid-stream must end the browser's stream too (it then resumes).
    answer.on('close', () => { if (!answer.complete) res.destroy(); });
  });
  upstream.on('error', (e) => { if (!res.headersSent) res.writeHead(502).end(`dev-server: the API at ${api} did not answer: ${e.message}\n`); else res.destroy(); });
  req.pipe(upstream);
  res.on('close', () => upstream.destroy());
}

// WebSocket (exec): replay the upgrade request on a TLS socket to the API, then pipe bytes.
function proxyUpgrade(api, req, socket, head) {
  const upstream = tls.connect({host: api.hostname, port: Number(api.port || 443), rejectUnauthorized: false}, () => {
    const headers = Object.entries({...req.headers, host: api.host}).map(([k, v]) => `${k}: ${v}`).join('\r\n');
    upstream.write(`${req.method} ${req.url} HTTP/1.1\r\n${headers}\r\n\r\n`);
    if (head.length) upstream.write(head);
    upstream.pipe(socket);
    socket.pipe(upstream);
  });
  const close = () => { upstream.destroy(); socket.destroy(); };
  upstream.on('error', close);
  socket.on('error', close);
}

function main() {
  const a = args();
  const api = new URL(a.api);
  let dir = a.dir;
  if (!dir) {
    dir = mkdtempSync(join(tmpdir(), 'skiff-ui-'));
    execFileSync(process.execPath, [join(here, 'build.mjs'), dir], {stdio: 'inherit'});
  }
  dir = normalize(dir + '/');
  const server = https.createServer(selfSignedCert(), (req, res) => {
    if (req.url === '/ui') { res.writeHead(301, {Location: '/ui/'}).end(); return; }
    if (req.url.startsWith('/ui/')) serveStatic(dir, req, res);
    else proxy(api, req, res);
  });
  server.on('upgrade', (req, socket, head) => proxyUpgrade(api, req, socket, head));
  server.listen(a.port, '127.0.0.1', () => console.log(`Skiff UI at https://127.0.0.1:${server.address().port}/ui/ (API ${api.origin})`));
}

main();
