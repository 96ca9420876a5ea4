// The admin page: polls /admin/api/cluster every second and draws the nodes and rooms.
// Plain DOM (textContent only: nothing from the server is parsed as HTML). The token, when the
// node asks for one, comes from the URL's fragment (#token=..., never sent to a server) or the form,
// and is kept in sessionStorage for this tab; it goes in an Authorization header.
(function () {
  'use strict';

  const POLL_MS = 1000;
  const STORE = 'roomcast.adminToken';
  const state = { polls: 0, renders: 0, lastStatus: null, lastError: null, view: null, previous: null };

  function takeTokenFromFragment() {
    const params = new URLSearchParams(location.hash.slice(1));
    const token = params.get('token');
    if (token) {
      sessionStorage.setItem(STORE, token);
      history.replaceState(null, '', location.pathname + location.search);
    }
  }

  function token() {
    return sessionStorage.getItem(STORE);
  }

  function el(tag, text, className) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (className) e.className = className;
    return e;
  }

  function setStatus(text, isError) {
    const status = document.getElementById('status');
    status.textContent = text;
    status.className = isError ? 'status error' : 'status';
  }

  function showTokenForm(message) {
    document.getElementById('token-form').classList.remove('hidden');
    document.getElementById('token-error').textContent = message || '';
  }

  let loop = 0; // one polling loop at a time: a token given starts a new one, the old one stops

  function start() {
    loop++;
    poll(loop);
  }

  async function poll(id) {
    if (id !== loop) return;
    state.polls++;
    const headers = {};
    const t = token();
    if (t) headers['Authorization'] = 'Bearer ' + t;
    try {
      const response = await fetch('/admin/api/cluster', { headers: headers, cache: 'no-store' });
      state.lastStatus = response.status;
      if (response.status === 401) {
        showTokenForm(t ? 'This token was refused.' : 'This node asks for its admin token.');
        setStatus('waiting for the admin token', true);
        return; // no polling until a token is given
      }
      if (response.status === 404) {
        setStatus('The admin page is off on this node (see ADMIN_TOKEN in docs/operations.md).', true);
        return;
      }
      if (!response.ok) throw new Error('HTTP ' + response.status);
      const view = await response.json();
      document.getElementById('token-form').classList.add('hidden');
      render(view);
      state.lastError = view.error || null;
      setStatus('updated ' + new Date().toLocaleTimeString() + (view.error ? ' — ' + view.error : ''), !!view.error);
    } catch (e) {
      state.lastError = String(e);
      setStatus('no answer from the node: ' + e + ' (retrying)', true);
    }
    setTimeout(() => poll(id), POLL_MS);
  }

  function rate(nodeId, field, value, now) {
    const prev = state.previous;
    if (!prev || !prev.counters[nodeId] || prev.counters[nodeId][field] === undefined) return '';
    const seconds = (now - prev.at) / 1000;
    if (seconds <= 0) return '';
    const perSecond = (value - prev.counters[nodeId][field]) / seconds;
    return ' (+' + perSecond.toFixed(1) + '/s)';
  }

  function render(view) {
    const now = Date.now();
    state.view = view;
    state.renders++;
    document.getElementById('summary').textContent = 'asked node ' + view.node + ' · ' + view.mode
        + ' · ' + view.nodes.length + ' node(s), ' + view.rooms.length + ' room(s)';

    const counters = {};
    const nodesBody = document.querySelector('#nodes tbody');
    const nodeRows = [];
    for (const node of view.nodes) {
      const row = el('tr');
      row.dataset.node = node.id;
      if (!node.alive) row.className = 'gone';
      row.appendChild(el('td', node.id + (node.self ? ' (this node)' : ''), 'text' + (node.self ? ' self' : '')));
      let stateText = node.alive ? 'alive' : 'gone';
      if (node.reported) stateText += node.draining ? ', draining' : node.ready ? ', ready' : ', not ready';
      else stateText += ', no report';
      row.appendChild(el('td', stateText, 'text'));
      row.appendChild(el('td', node.heartbeat_ms_ago === null || node.heartbeat_ms_ago === undefined
          ? '' : node.heartbeat_ms_ago + ' ms ago'));
      if (node.reported) {
        counters[node.id] = { states_dropped: node.states_dropped, slow_consumer_closes: node.slow_consumer_closes };
        for (const field of ['connections', 'sessions', 'rooms_owned', 'players']) {
          row.appendChild(el('td', node[field]));
        }
        row.appendChild(el('td', node.states_dropped + rate(node.id, 'states_dropped', node.states_dropped, now)));
        row.appendChild(el('td', node.slow_consumer_closes
            + rate(node.id, 'slow_consumer_closes', node.slow_consumer_closes, now)));
      } else {
        const cell = el('td', 'no report (its admin page is off, or it just stopped)', 'unreported text');
        cell.colSpan = 6;
        row.appendChild(cell);
      }
      nodeRows.push(row);
    }
    nodesBody.replaceChildren(...nodeRows);
    state.previous = { at: now, counters: counters };

    const head = document.querySelector('#rooms thead tr');
    const headCells = ['room', 'game', 'owner', 'epoch', 'seats', 'tick p99'].map(h => el('th', h, 'text'));
    for (const node of view.nodes) headCells.push(el('th', 'players on ' + node.id));
    headCells.push(el('th', 'players'));
    head.replaceChildren(...headCells);

    const reported = new Set(view.nodes.filter(n => n.reported).map(n => n.id));
    const roomsBody = document.querySelector('#rooms tbody');
    const roomRows = [];
    for (const room of view.rooms) {
      const row = el('tr');
      row.dataset.room = room.id;
      row.appendChild(el('td', room.id, 'text'));
      row.appendChild(el('td', room.game === null ? '?' : room.game, 'text'));
      row.appendChild(el('td', room.owner === null ? '?'
          : room.owner + (room.owner_reported ? '' : ' (as heard by members)'), 'text owner'));
      row.appendChild(el('td', room.epoch === null ? '?' : room.epoch, 'epoch'));
      row.appendChild(el('td', room.seats === null ? '?' : room.seats + ' / ' + room.max_seats));
      row.appendChild(el('td', room.tick_p99_ms === null ? '–'
          : room.tick_p99_ms.toFixed(3) + ' ms (' + room.ticks_sampled + ' ticks)'));
      for (const node of view.nodes) {
        const count = room.players[node.id];
        const cell = el('td', count !== undefined ? count : reported.has(node.id) ? 0 : '?', 'players');
        cell.dataset.room = room.id;
        cell.dataset.node = node.id;
        row.appendChild(cell);
      }
      row.appendChild(el('td', room.players_total));
      roomRows.push(row);
    }
    if (roomRows.length === 0) {
      const row = el('tr');
      const cell = el('td', 'no rooms', 'text unreported');
      cell.colSpan = headCells.length;
      row.appendChild(cell);
      roomRows.push(row);
    }
    roomsBody.replaceChildren(...roomRows);
  }

  document.getElementById('token-form').addEventListener('submit', event => {
    event.preventDefault();
    const input = document.getElementById('token');
    if (input.value.trim()) sessionStorage.setItem(STORE, input.value.trim());
    input.value = '';
    setStatus('trying the token…', false);
    start();
  });

  // For tests and the curious: what the page last got and drew.
  window.roomcastAdmin = {
    snapshot: () => ({ polls: state.polls, renders: state.renders, lastStatus: state.lastStatus,
                       lastError: state.lastError, view: state.view })
  };

  takeTokenFromFragment();
  start();
})();
