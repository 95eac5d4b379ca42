// The page frame: header with the menu button and Log out, the navigation and <main>.
import {h} from './dom.js';

const links = [
  ['/overview', 'Overview'], ['/nodes', 'Nodes'], ['/workloads', 'Workloads'], ['/pods', 'Pods'],
  ['/services', 'Services'], ['/config', 'Config'], ['/events', 'Events'], ['/create', 'Create'],
];

export function renderShell(app, {onLogout}) {
  const nav = h('nav', {id: 'nav', class: 'nav', 'aria-label': 'Main'},
    h('ul', {}, links.map(([path, text]) => h('li', {}, h('a', {href: '#' + path, dataset: {testid: 'nav-' + text.toLowerCase()}}, text)))));
  const menu = h('button', {type: 'button', class: 'menu', 'aria-controls': 'nav', 'aria-expanded': 'false'}, 'Menu');
  menu.addEventListener('click', () => {
    const open = nav.classList.toggle('open');
    menu.setAttribute('aria-expanded', String(open));
  });
  nav.addEventListener('click', (e) => {
    if (e.target.closest('a')) { nav.classList.remove('open'); menu.setAttribute('aria-expanded', 'false'); }
  });
  const main = h('main', {id: 'main', tabindex: '-1'});
  app.replaceChildren(
    h('a', {class: 'skip', href: '#main', onclick: (e) => { e.preventDefault(); main.focus(); }}, 'Skip to content'),
    h('header', {class: 'top'}, menu, h('a', {class: 'brand', href: '#/overview'}, 'Skiff'),
      h('button', {type: 'button', class: 'logout', dataset: {testid: 'logout'}, onclick: onLogout}, 'Log out')),
    h('div', {class: 'body'}, nav, main));

  function setActive(path) {
    for (const a of nav.querySelectorAll('a')) {
      const target = a.getAttribute('href').slice(1);
      if (path === target || path.startsWith(target + '/')) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
  }
  return {main, setActive};
}
