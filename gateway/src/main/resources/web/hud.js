/**
 * Small HUD helpers shared by the demo games: the connection status badge, the chat / system
 * log, and invite links. Game-agnostic; no protocol code here (that is roomcast-client.js).
 *
 * @module hud
 */

/** The game a page without `?game=` shows. */
export const DEFAULT_GAME = 'orb-rush';

/** Shows the client's status (`idle`, `connecting`, `connected`, `reconnecting`, `closed`) in
 *  a badge element; CSS colours it by `data-status`. */
export function showStatus(element, status) {
  if (!element) return;
  element.textContent = status;
  element.dataset.status = status;
}

/** An RTT in ms for display, or null (shown as a dash) when unknown. */
export function formatRtt(rttMs) {
  return Number.isFinite(rttMs) ? `${Math.round(rttMs)} ms` : null;
}

/**
 * The link that opens this page in the given room of the given game. The default game needs no
 * `game` parameter, so its invite links look as they always did (`?room=<id>`).
 */
export function inviteUrl(gameType, roomId) {
  const params = new URLSearchParams();
  if (gameType !== DEFAULT_GAME) params.set('game', gameType);
  params.set('room', roomId);
  return `${location.origin}${location.pathname}?${params}`;
}

/**
 * The chat log: player lines (`from: text`) and italic system lines, newest at the bottom,
 * at most `limit` lines kept.
 */
export class ChatLog {
  /**
   * @param {HTMLElement|null} list the `<ul>` to append to
   * @param {number} [limit]
   */
  constructor(list, limit = 100) {
    this.list = list;
    this.limit = limit;
  }

  /** Adds a player's line; returns the `<li>` (to mark it failed later). */
  chat(from, text) {
    const li = document.createElement('li');
    const who = document.createElement('span');
    who.className = 'from';
    who.textContent = `${from}: `;
    li.append(who, document.createTextNode(text));
    this.append(li);
    return li;
  }

  /** Adds a system line; `className` `failed` shows it as an error. */
  system(text, className = 'system') {
    const li = document.createElement('li');
    li.className = className === 'system' ? 'system' : `system ${className}`;
    li.textContent = text;
    this.append(li);
    return li;
  }

  append(li) {
    const list = this.list;
    if (!list) return;
    list.append(li);
    while (list.children.length > this.limit) list.firstElementChild.remove();
    list.scrollTop = list.scrollHeight;
  }
}
