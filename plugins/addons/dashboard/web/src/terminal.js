// An exec terminal: xterm.js over the API's exec WebSocket (v4.channel.k8s.io: binary frames,
// first byte the channel — 0 stdin, 1 stdout, 2 stderr, 3 status JSON, 4 resize JSON).
import {h} from './dom.js';
import {getToken, base64url} from './session.js';

let xtermLoading = null;

// xterm ships as a UMD script: loaded on first use only, so other pages do not pay for it.
function loadXterm() {
  xtermLoading ??= Promise.all([
    loadScript('vendor/xterm.js'), loadCss('vendor/xterm.css'),
  ]).then(() => loadScript('vendor/addon-fit.js'));
  xtermLoading.catch(() => { xtermLoading = null; });  // the next Open tries again
  return xtermLoading;
}

// One more try when a script fails to load (a busy API may drop an asset request).
const loadScript = (src, retries = 1) => new Promise((resolve, reject) => {
  const script = h('script', {src, onload: resolve, onerror: () => {
    script.remove();
    if (retries > 0) loadScript(src, retries - 1).then(resolve, reject);
    else reject(new Error(`could not load ${src} from the server; reload the page`));
  }});
  document.head.append(script);
});
const loadCss = (href) => new Promise((resolve) => {
  document.head.append(h('link', {rel: 'stylesheet', href, onload: resolve, onerror: resolve}));
});

export function execUrl(ns, pod, container, command) {
  const query = new URLSearchParams({stdin: 'true', stdout: 'true', stderr: 'true', tty: 'true', container});
  for (const part of command) query.append('command', part);
  const scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
  return `${scheme}${location.host}/api/v1/namespaces/${encodeURIComponent(ns)}/pods/${encodeURIComponent(pod)}/exec?${query}`;
}

// Opens a shell in the container inside `host`; returns a function that closes it.
export async function openTerminal(host, status, {ns, pod, container, command = ['sh']}) {
  await loadXterm();
  const term = new window.Terminal({cursorBlink: true, convertEol: false, fontSize: 14, scrollback: 2000});
  const fit = new window.FitAddon.FitAddon();
  term.loadAddon(fit);
  term.open(host);
  fit.fit();
  const socket = new WebSocket(execUrl(ns, pod, container, command),
    ['v4.channel.k8s.io', 'base64url.bearer.authorization.k8s.io.' + base64url(getToken())]);
  socket.binaryType = 'arraybuffer';
  const encoder = new TextEncoder();
  const send = (channel, bytes) => {
    if (socket.readyState !== WebSocket.OPEN) return;
    const frame = new Uint8Array(bytes.length + 1);
    frame[0] = channel;
    frame.set(bytes, 1);
    socket.send(frame);
  };
  const resize = () => send(4, encoder.encode(JSON.stringify({Width: term.cols, Height: term.rows})));
  socket.onopen = () => { status.textContent = `Connected to ${pod}/${container}.`; resize(); term.focus(); };
  socket.onmessage = (event) => {
    const data = new Uint8Array(event.data);
    if (data[0] === 1 || data[0] === 2) term.write(data.subarray(1));
    else if (data[0] === 3) status.textContent = exitText(new TextDecoder().decode(data.subarray(1)));
  };
  socket.onclose = (event) => {
    if (!status.textContent.startsWith('Exited') && !status.textContent.startsWith('Failed'))
      status.textContent = event.code === 1000 ? 'Session closed.' : `Disconnected (WebSocket code ${event.code}).`;
  };
  socket.onerror = () => { status.textContent = 'Failed: the API refused or dropped the exec connection.'; };
  const input = term.onData((text) => send(0, encoder.encode(text)));
  const onResize = () => { fit.fit(); resize(); };
  window.addEventListener('resize', onResize);
  return () => { input.dispose(); window.removeEventListener('resize', onResize); socket.close(); term.dispose(); };
}

function exitText(json) {
  try {
    const s = JSON.parse(json);
    if (s.status === 'Success') return 'Exited (code 0).';
    const code = s.details?.causes?.find((c) => c.reason === 'ExitCode')?.message;
    return code ? `Exited (code ${code}).` : 'Failed: ' + (s.message || json);
  } catch { return json; }
}
