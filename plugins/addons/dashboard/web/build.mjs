#!/usr/bin/env node
// Writes the complete Web UI into <out-dir>: index.html, style.css, src/**, and the few vendor
// files the app loads (xterm, its fit addon and CSS, js-yaml) with their licences.
//   node build.mjs <out-dir> [--modules <node_modules dir>]   (after `npm ci` here)
import {cpSync, mkdirSync, readdirSync, rmSync, statSync, existsSync, writeFileSync} from 'node:fs';
import {dirname, join, relative, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';

const MAX_FILE_BYTES = 900 * 1024;  // each file travels the NATS bus as one message
const here = dirname(fileURLToPath(import.meta.url));

const vendor = [
  ['@xterm/xterm/lib/xterm.js', 'xterm.js'],
  ['@xterm/xterm/css/xterm.css', 'xterm.css'],
  ['@xterm/xterm/LICENSE', 'xterm.LICENSE.txt'],
  ['@xterm/addon-fit/lib/addon-fit.js', 'addon-fit.js'],
  ['@xterm/addon-fit/LICENSE', 'addon-fit.LICENSE.txt'],
  ['js-yaml/dist/js-yaml.mjs', 'js-yaml.mjs'],
  ['js-yaml/LICENSE', 'js-yaml.LICENSE.txt'],
];

function fail(message) {
  console.error('build.mjs: ' + message);
  process.exit(1);
}

function parseArgs(argv) {
  const args = {out: '', modules: join(here, 'node_modules')};
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--modules') args.modules = resolve(argv[++i] || '');
    else if (!args.out) args.out = resolve(argv[i]);
    else fail(`unexpected argument "${argv[i]}"; usage: node build.mjs <out-dir> [--modules <dir>]`);
  }
  if (!args.out) fail('usage: node build.mjs <out-dir> [--modules <node_modules dir>]');
  return args;
}

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else yield path;
  }
}

function build({out, modules}) {
  if (!existsSync(join(modules, '@xterm/xterm')))
    fail(`no npm packages in ${modules}: run \`npm ci\` in ${here}, or pass --modules <node_modules dir>`);
  rmSync(out, {recursive: true, force: true});
  mkdirSync(join(out, 'vendor'), {recursive: true});
  cpSync(join(here, 'index.html'), join(out, 'index.html'));
  cpSync(join(here, 'style.css'), join(out, 'style.css'));
  cpSync(join(here, 'src'), join(out, 'src'), {recursive: true});
  for (const [from, to] of vendor) {
    const source = join(modules, from);
    if (!existsSync(source)) fail(`${source} is missing: run \`npm ci\` in ${here} (package-lock.json pins the versions)`);
    cpSync(source, join(out, 'vendor', to));
  }
  const listing = [];
  for (const path of files(out)) {
    const size = statSync(path).size;
    if (size > MAX_FILE_BYTES) fail(`${relative(out, path)} is ${size} bytes, over the ${MAX_FILE_BYTES}-byte limit of one bus message`);
    listing.push([relative(out, path), size]);
  }
  writeFileSync(join(out, 'files.txt'), listing.map(([p, s]) => `${s}\t${p}`).join('\n') + '\n');
  const total = listing.reduce((n, [, s]) => n + s, 0);
  console.log(`built ${listing.length} files (${total} bytes) into ${out}`);
}

build(parseArgs(process.argv.slice(2)));
