// The Kubernetes API on this origin, with the session's bearer token.
import {getToken} from './session.js';

export class ApiError extends Error {
  constructor(status, statusObject, fallback) {
    super(statusObject?.message || fallback || `the API answered HTTP ${status}`);
    this.status = status;
    this.statusObject = statusObject;  // a Kubernetes Status, when the API sent one
  }
  get causes() { return this.statusObject?.details?.causes || []; }
}

// Anything that wants to know the token was refused (the app goes back to login).
let onUnauthorized = () => {};
export function setUnauthorizedHandler(fn) { onUnauthorized = fn; }

export function authHeaders(token = getToken()) {
  return token ? {Authorization: 'Bearer ' + token} : {};
}

// request('GET', '/api/v1/pods') → the parsed JSON (or text when asked), throws ApiError.
export async function request(method, path, {body, contentType, signal, token, text = false, quiet401 = false} = {}) {
  const headers = {...authHeaders(token), Accept: 'application/json'};
  if (body !== undefined) headers['Content-Type'] = contentType || 'application/json';
  const payload = body === undefined || typeof body === 'string' ? body : JSON.stringify(body);
  const response = await fetchRetrying(path, {method, headers, body: payload, signal});
  if (!response.ok) throw await errorFrom(response, quiet401);
  if (text) return response.text();
  const type = response.headers.get('Content-Type') || '';
  return type.includes('json') ? response.json() : response.text();
}

// A browser drops requests in flight when the machine's interfaces change (Chromium's
// ERR_NETWORK_CHANGED, e.g. as containers start); requests that are safe to repeat get a
// second try. POST (create) is never repeated.
async function fetchRetrying(path, init) {
  try {
    return await fetch(path, init);
  } catch (error) {
    if (init.method === 'POST' || init.signal?.aborted || !(error instanceof TypeError)) throw error;
    await new Promise((resolve) => setTimeout(resolve, 300));
    return fetch(path, init);
  }
}

export async function errorFrom(response, quiet401 = false) {
  let statusObject = null;
  let raw = '';
  try {
    raw = await response.text();
    const parsed = JSON.parse(raw);
    if (parsed && parsed.kind === 'Status') statusObject = parsed;
  } catch { /* not JSON: keep the text */ }
  if (response.status === 401 && !quiet401) onUnauthorized();
  return new ApiError(response.status, statusObject, raw.trim().slice(0, 300) || undefined);
}

export const get = (path, opts) => request('GET', path, opts);
export const del = (path, opts) => request('DELETE', path, opts);
export const put = (path, body, opts) => request('PUT', path, {body, ...opts});
export const post = (path, body, opts) => request('POST', path, {body, ...opts});
export const mergePatch = (path, body, opts) =>
  request('PATCH', path, {body, contentType: 'application/merge-patch+json', ...opts});

// A streamed GET (logs, watches): calls onLine for each complete line until the stream ends.
export async function streamLines(path, onLine, signal) {
  const response = await fetchRetrying(path, {method: 'GET', headers: authHeaders(), signal});
  if (!response.ok) throw await errorFrom(response);
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let pending = '';
  for (;;) {
    const {value, done} = await reader.read();
    if (done) break;
    pending += decoder.decode(value, {stream: true});
    let newline;
    while ((newline = pending.indexOf('\n')) >= 0) {
      onLine(pending.slice(0, newline));
      pending = pending.slice(newline + 1);
    }
  }
  if (pending) onLine(pending);
}
