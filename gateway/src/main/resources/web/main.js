/**
 * The demo page's game chooser. `?game=orb-rush` (the default) or `?game=four-in-a-row` picks
 * the game: its view (a `<template>` in index.html) is copied into `<main>`, then its module is
 * loaded, which connects and, with `?name=` / `?room=`, joins at once.
 *
 * Switching games is a navigation (the tabs are links): each game module owns the page and its
 * connection for as long as it is shown. The tabs keep `?name=`, not `?room=` (a room belongs
 * to one game).
 */
import { DEFAULT_GAME } from './hud.js';

const GAMES = {
  'orb-rush': { title: 'Orb Rush', module: './orb-rush.js' },
  'four-in-a-row': { title: 'Four in a Row', module: './four-in-a-row.js' },
};

const params = new URLSearchParams(location.search);
const requested = params.get('game') || DEFAULT_GAME;
const gameType = Object.hasOwn(GAMES, requested) ? requested : DEFAULT_GAME;
if (gameType !== requested) console.warn(`unknown game '${requested}': showing ${DEFAULT_GAME}`);
const game = GAMES[gameType];

document.title = `${game.title} — Roomcast demo`;
document.getElementById('game-title').textContent = game.title;
document.body.dataset.game = gameType;

for (const tab of document.querySelectorAll('.tab[data-game]')) {
  const tabParams = new URLSearchParams({ game: tab.dataset.game });
  if (params.has('name')) tabParams.set('name', params.get('name'));
  tab.href = `${location.pathname}?${tabParams}`;
  if (tab.dataset.game === gameType) tab.setAttribute('aria-current', 'page');
  else tab.removeAttribute('aria-current');
}

const view = document.getElementById(`view-${gameType}`);
document.getElementById('game').replaceChildren(view.content.cloneNode(true));

try {
  await import(game.module);
} catch (err) {
  console.error(err);
  const status = document.getElementById('status');
  status.textContent = `cannot load ${game.title}`;
  status.dataset.status = 'closed';
}
