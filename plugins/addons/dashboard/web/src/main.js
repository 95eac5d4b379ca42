// Boots the app: the login page without a token, else the shell and the routed views.
import {getToken, clearToken} from './session.js';
import {setUnauthorizedHandler} from './api.js';
import {startRouter} from './router.js';
import {stopAll} from './watch-cache.js';
import {renderShell} from './shell.js';
import {renderLogin} from './views/login.js';
import './routes.js';

const app = document.getElementById('app');
let stopRouter = null;

function showLogin(message) {
  stopRouter?.();
  stopRouter = null;
  stopAll();
  renderLogin(app, {message, onLoggedIn: showApp});
}

function showApp() {
  const {main, setActive} = renderShell(app, {onLogout: () => { clearToken(); showLogin(); }});
  stopRouter = startRouter((path, matched, signal) => {
    setActive(path);
    main.replaceChildren();
    if (!matched) {
      main.textContent = `No page at ${path}; pick one from the navigation.`;
      return;
    }
    Promise.resolve(matched.view(main, matched.params, signal)).catch((error) => {
      if (!signal.aborted) main.append(Object.assign(document.createElement('p'),
        {className: 'error', role: 'alert', textContent: 'This page failed: ' + error.message}));
    });
    main.focus({preventScroll: true});
  });
}

setUnauthorizedHandler(() => {
  if (!stopRouter) return;  // already on the login page (several requests may answer 401)
  clearToken();
  showLogin('The API refused this token (it may have been revoked); log in again.');
});

if (getToken()) showApp(); else showLogin();
