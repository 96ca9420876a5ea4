/**
 * Small helpers shared by the demo games: the connection status badge, the chat / system
 * log, invite links, and the Join / Leave buttons' flow. Game-agnostic; the protocol itself is
 * the client of client.js.
 *
 * @module hud
 */

import { defaultUrl } from './client.js';

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

/**
 * The Join button: connects if needed, then joins the room id typed in `ui.room`, or quick-joins
 * `gameType`. Disables the form while it runs. Resolves with the join info, or null after
 * reporting the failure with `report(text, className)` and re-enabling Join.
 */
export async function connectAndJoin(client, ui, gameType, name, report) {
  ui.join.disabled = true;
  ui.name.disabled = true;
  try {
    if (client.status === 'idle' || client.status === 'closed') {
      await client.connect(defaultUrl(), { name });
    }
    const roomId = ui.room.value.trim();
    return await client.join(roomId ? { roomId } : { gameType });
  } catch (err) {
    report(`Join failed: ${err.message}`, 'failed');
    ui.join.disabled = false;
    return null;
  }
}

/** The Leave button: leaves `roomId`, reporting a failure; the caller then clears its room. */
export async function leaveRoom(client, roomId, ui, report) {
  ui.leave.disabled = true;
  try {
    await client.leave(roomId);
  } catch (err) {
    report(`Leave failed: ${err.message}`, 'failed');
  }
}

/**
 * Writes the connection's life to the page's log: unsolicited errors (those answering a join,
 * leave or acked emit reach the caller's promise instead), disconnects and reconnects.
 */
export function logConnection(client, report) {
  client.on('error', ({ code, message, serverMessage, requestId }) => {
    if (!requestId) report(`Error: ${code} ${serverMessage ?? message ?? ''}`, 'failed');
  });
  client.on('disconnect', ({ code, willReconnect }) => {
    report(`Disconnected (${code})${willReconnect ? ', reconnecting…' : '.'}`);
  });
  client.on('reconnect', ({ resumed }) => {
    report(resumed ? 'Reconnected: seat resumed.' : 'Reconnected: joining again…');
  });
}
