// The bearer token for this browser tab (sessionStorage: gone when the tab closes).
const KEY = 'skiff.token';

export function getToken() { return sessionStorage.getItem(KEY) || ''; }
export function setToken(token) { sessionStorage.setItem(KEY, token); }
export function clearToken() { sessionStorage.removeItem(KEY); }

// base64url without padding, as the bearer WebSocket subprotocol wants it.
export function base64url(text) {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
