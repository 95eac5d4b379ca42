// The login page: a bearer token, checked against the API before it is kept.
import {h} from '../dom.js';
import {get, ApiError} from '../api.js';
import {setToken} from '../session.js';

export function renderLogin(app, {message, onLoggedIn}) {
  const input = h('input', {id: 'token', type: 'password', autocomplete: 'current-password', required: true,
    spellcheck: 'false', dataset: {testid: 'token-input'}});
  const error = h('p', {class: 'error', role: 'alert', dataset: {testid: 'login-error'}, hidden: !message}, message || '');
  const submit = h('button', {type: 'submit', dataset: {testid: 'login-submit'}}, 'Log in');
  const form = h('form', {class: 'login', 'aria-labelledby': 'login-title'},
    h('h1', {id: 'login-title'}, 'Skiff'),
    h('p', {}, 'Log in with a bearer token; the UI can do exactly what the token may do.'),
    h('label', {for: 'token'}, 'Token'), input,
    h('p', {class: 'hint', id: 'token-hint'},
      'The admin token is the ', h('code', {}, 'token:'), ' of the user in the kubeconfig that ',
      h('code', {}, 'make up'), ' writes to ', h('code', {}, '.skiff/kubeconfig'), ' (a node writes ',
      h('code', {}, '<data dir>/kubeconfig'), '), or print it with ',
      h('code', {}, "kubectl config view --raw -o jsonpath='{.users[0].user.token}'"), '.'),
    error, submit);
  input.setAttribute('aria-describedby', 'token-hint');
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const token = input.value.trim();
    submit.disabled = true;
    error.hidden = true;
    try {
      try {
        await get('/api/v1/namespaces?limit=1', {token, quiet401: true});
      } catch (err) {
        if (!(err instanceof ApiError && err.status === 403)) throw err;  // known, only not allowed to list namespaces
      }
      setToken(token);
      if (!location.hash || location.hash === '#/login') location.hash = '#/overview';
      onLoggedIn();
    } catch (err) {
      error.textContent = err instanceof ApiError && err.status === 401
        ? 'The API refused this token: check it is the whole token from the kubeconfig.'
        : `Could not check the token: ${err.message}`;
      error.hidden = false;
      submit.disabled = false;
      input.focus();
    }
  });
  app.replaceChildren(h('main', {id: 'main', class: 'login-page'}, form));
  input.focus();
}
