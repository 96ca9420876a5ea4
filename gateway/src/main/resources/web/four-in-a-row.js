/**
 * Four in a Row — the second Roomcast browser demo (room type `four-in-a-row`).
 *
 * Two players take turns dropping discs into a 7 x 6 board. The server is authoritative and
 * turn-based: every action (`ready`, `unready`, `drop`, `chat`) is a room event sent with an
 * acknowledgement; a refused one comes back as EVENT_REJECTED with the reason ("not your turn",
 * "column full", ...), which this page shows. Nothing is predicted: the board drawn is the
 * latest server state (entity 0 `Board`, entities 100 + seat `Seat`, see fourinarow.proto).
 *
 * Query parameters: `?name=Ann` sets the name and quick-joins at once; `?room=<id>` joins that
 * room instead (and also joins at once); `?autojoin=1` joins at once with a random name.
 *
 * Controls: click a column (or press 1-7) to drop a disc; the Ready button starts a round once
 * both players are ready.
 *
 * Test hook: `window.roomcastFour.snapshot()` returns plain JSON of what the page shows, see
 * {@link snapshot}.
 *
 * Loaded by main.js (the page's game chooser) once the Four in a Row view is in the page.
 */
import { CLIENT_KIND, createClient } from './client.js';
import { ChatLog, connectAndJoin, formatRtt, inviteUrl, leaveRoom, logConnection, showStatus } from './hud.js';

const GAME_PROTO_URL = '/proto/roomcast/games/fourinarow.proto';
const GAME_TYPE = 'four-in-a-row';
const PACKAGE = 'roomcast.games.fourinarow';

// The server's rules (kept in step with the Java FourInARowRoom).
const COLUMNS = 7;
const ROWS = 6;
const SEATS = 2;
const BOARD_ID = 0;
const SEAT_ID_BASE = 100;
const EMPTY_CELLS = Object.freeze(new Array(COLUMNS * ROWS).fill(0));
/** Row and column steps of the four lines through a cell: across, up, and both diagonals. */
const LINES = [[0, 1], [1, 0], [1, 1], [1, -1]];

const HUD_INTERVAL_MS = 200;
const MAX_EVENTS = 500; // room events kept for the test hook
const DISC_LABELS = ['red', 'yellow'];

/** Plain-object conversion of the game's messages: enum names; optional fields stay absent. */
const TO_OBJECT = { enums: String, defaults: true };

// ───────────────────────────── page state ─────────────────────────────

const ui = {};

/** Everything the page knows; `board` and `seats` are the latest server state. */
const game = {
  client: null,
  types: {},          // Board, Seat, Drop, RoundStart, RoundOver
  name: '',
  roomId: '',
  seat: null,
  playerId: '',
  board: null,        // Board as a plain object, null before the first state of the room
  seats: new Map(),   // seat -> Seat (plain object)
  decoded: new Map(), // entity id -> {bytes, value}: decode each changed entity once
  statesReceived: 0,
  lastOutcome: null,  // {round, winnerSeat, draw, forfeit} of the last "round-over" event
  lastRejection: null, // the reason the room gave for refusing this player's last action
  events: [],         // names of the room events received, in order
  chat: [],           // [{from, text}] for the test hook
  dropPending: false,
  readyPending: false,
  boardShown: false,  // the board was drawn for this room at least once (animate drops after)
};

// ───────────────────────────── start-up ─────────────────────────────

main().catch((err) => {
  console.error(err);
  setStatus('closed');
  systemLine(`Cannot start: ${err.message}`, 'failed');
});

async function main() {
  bindUi();
  buildBoard();
  exposeTestHook();
  const { client, type } = await createClient([GAME_PROTO_URL]);
  game.client = client;
  for (const name of ['Board', 'Seat', 'Drop', 'RoundStart', 'RoundOver']) {
    game.types[name] = type(`${PACKAGE}.${name}`);
  }
  listen(client);
  setInterval(updateHud, HUD_INTERVAL_MS);
  render();

  const params = new URLSearchParams(location.search);
  ui.name.value = params.get('name') || `Player-${100 + Math.floor(Math.random() * 900)}`;
  ui.room.value = params.get('room') || '';
  if (params.has('name') || params.has('room') || params.get('autojoin') === '1') startGame();
}

function bindUi() {
  for (const id of ['name', 'room', 'join', 'leave', 'status', 'board', 'seats', 'invite',
    'ready-button', 'four-message', 'rejection', 'chat-log', 'chat-input', 'chat-send',
    'join-form', 'chat-form']) {
    ui[id.replace(/-(\w)/g, (_, c) => c.toUpperCase())] = document.getElementById(id);
  }
  for (const key of ['status', 'rtt', 'node', 'room', 'seat', 'phase', 'round']) {
    ui[`hud_${key}`] = document.getElementById(`hud-${key}`);
  }
  ui.log = new ChatLog(ui.chatLog);
  ui.joinForm.addEventListener('submit', (e) => { e.preventDefault(); startGame(); });
  ui.leave.addEventListener('click', leaveGame);
  ui.readyButton.addEventListener('click', toggleReady);
  ui.chatForm.addEventListener('submit', (e) => { e.preventDefault(); sendChat(); });
  ui.chatInput.addEventListener('keydown', (e) => { if (e.key === 'Escape') ui.chatInput.blur(); });
  window.addEventListener('keydown', (e) => {
    const tag = e.target?.tagName;
    if (tag === 'INPUT' || tag === 'TEXTAREA' || e.altKey || e.ctrlKey || e.metaKey) return;
    const column = Number(e.key) - 1;
    if (Number.isInteger(column) && column >= 0 && column < COLUMNS) dropDisc(column);
  });
}

/**
 * The board: one button per column (`data-column`), each holding its cells bottom row first
 * (`data-row`, `data-disc` 0 empty, 1 seat 0, 2 seat 1; drawn bottom-up by CSS).
 */
function buildBoard() {
  ui.cells = new Array(COLUMNS * ROWS);
  ui.columns = [];
  for (let column = 0; column < COLUMNS; column += 1) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'column';
    button.dataset.column = String(column);
    button.setAttribute('aria-label', `Drop a disc in column ${column + 1}`);
    for (let row = 0; row < ROWS; row += 1) {
      const cell = document.createElement('span');
      cell.className = 'cell';
      cell.dataset.row = String(row);
      cell.dataset.disc = '0';
      cell.style.setProperty('--fall', String(ROWS - row));
      button.append(cell);
      ui.cells[row * COLUMNS + column] = cell;
    }
    button.addEventListener('click', () => dropDisc(column));
    ui.columns.push(button);
  }
  ui.board.replaceChildren(...ui.columns);
}

// ───────────────────────────── joining and leaving ─────────────────────────────

async function startGame() {
  const client = game.client;
  if (!client || game.roomId) return;
  game.name = ui.name.value.trim().slice(0, 32) || 'Player';
  const info = await connectAndJoin(client, ui, GAME_TYPE, game.name, systemLine);
  if (info && info.gameType !== GAME_TYPE) {
    // A room of another game: give the seat back and point to the right tab.
    await client.leave(info.roomId).catch(() => {});
    systemLine(`Room ${info.roomId} is a ${info.gameType} room: open it with ?game=${info.gameType}.`, 'failed');
    ui.join.disabled = false;
  }
}

async function leaveGame() {
  if (!game.roomId) return;
  await leaveRoom(game.client, game.roomId, ui, systemLine);
  clearRoom();
}

function clearRoom() {
  game.roomId = '';
  game.seat = null;
  resetRoomState();
  ui.join.disabled = false;
  ui.leave.disabled = true;
  ui.chatInput.disabled = true;
  ui.chatSend.disabled = true;
  render();
}

function resetRoomState() {
  game.board = null;
  game.seats = new Map();
  game.decoded.clear();
  game.lastOutcome = null;
  game.lastRejection = null;
  game.boardShown = false;
}

// ───────────────────────────── network events ─────────────────────────────

function listen(client) {
  client.on('status', ({ status }) => { setStatus(status); render(); });
  client.on('joined', onJoined);
  client.on('left', ({ roomId, reason, detail }) => {
    if (roomId !== game.roomId) return;
    systemLine(`Left room ${roomId} (${reason}${detail ? `: ${detail}` : ''}).`);
    clearRoom();
  });
  client.on('state', onState);
  client.on('event', onEvent);
  logConnection(client, systemLine);
}

function onJoined(info) {
  if (info.gameType !== GAME_TYPE) return;
  if (info.roomId !== game.roomId) resetRoomState();
  game.roomId = info.roomId;
  game.seat = info.seat;
  game.playerId = info.playerId;
  ui.join.disabled = true;
  ui.leave.disabled = false;
  ui.chatInput.disabled = false;
  ui.chatSend.disabled = false;
  const invite = inviteUrl(GAME_TYPE, info.roomId);
  ui.invite.href = invite;
  ui.invite.textContent = invite;
  systemLine(`${info.resumed ? 'Resumed' : 'Joined'} room ${info.roomId}, seat ${info.seat} `
    + `(${DISC_LABELS[info.seat] ?? '?'} discs).`);
  render();
}

/** A server state: decode the board and the seats, then redraw. */
function onState(state) {
  if (state.roomId !== game.roomId) return;
  game.statesReceived += 1;
  const seats = new Map();
  let board = null;
  for (const [id, bytes] of state.entities) {
    if (id === BOARD_ID) board = decodeEntity(id, bytes, game.types.Board);
    else if (id >= SEAT_ID_BASE && id < SEAT_ID_BASE + SEATS) {
      const seat = decodeEntity(id, bytes, game.types.Seat);
      seats.set(seat.seat, seat);
    }
  }
  for (const id of game.decoded.keys()) if (!state.entities.has(id)) game.decoded.delete(id);
  game.board = board;
  game.seats = seats;
  render();
}

function decodeEntity(id, bytes, type) {
  const cached = game.decoded.get(id);
  if (cached && cached.bytes === bytes) return cached.value;
  const value = type.toObject(type.decode(bytes), TO_OBJECT);
  game.decoded.set(id, { bytes, value });
  return value;
}

function onEvent(event) {
  if (event.roomId !== game.roomId || !game.roomId) return;
  game.events.push(event.name);
  if (game.events.length > MAX_EVENTS) game.events.shift();
  const fromRoom = !event.fromPlayer;
  if (event.name === 'chat') {
    chatLine(playerName(event.fromPlayer), event.text());
  } else if (fromRoom && event.name === 'round-start') {
    const start = game.types.RoundStart.toObject(game.types.RoundStart.decode(event.payload), TO_OBJECT);
    game.lastOutcome = null;
    game.lastRejection = null;
    systemLine(`Round ${start.round} starts: ${seatLabel(start.firstSeat)} ${
      start.firstSeat === game.seat ? 'move' : 'moves'} first.`);
  } else if (fromRoom && event.name === 'round-over') {
    const over = game.types.RoundOver.toObject(game.types.RoundOver.decode(event.payload), TO_OBJECT);
    game.lastOutcome = {
      round: game.board?.round ?? 0,
      winnerSeat: over.winnerSeat ?? null,
      draw: over.draw,
      forfeit: over.forfeit,
    };
    systemLine(outcomeText(game.lastOutcome));
  } else if (fromRoom && event.name === 'your-turn') {
    // Board.turn_seat (with the next state) is the truth; this only draws attention at once.
    ui.fourMessage.classList.remove('nudge');
    void ui.fourMessage.offsetWidth; // restart the animation
    ui.fourMessage.classList.add('nudge');
  }
  render();
}

// ───────────────────────────── actions ─────────────────────────────

/** Emits a room event with an acknowledgement; resolves true if accepted. A refusal is shown
 *  (and kept for the test hook) until the next accepted action. */
async function act(name, payload, what) {
  try {
    await game.client.emit(game.roomId, name, payload, { ack: true });
    game.lastRejection = null;
    return true;
  } catch (err) {
    const reason = err.code === 'EVENT_REJECTED' && err.serverMessage ? err.serverMessage : err.message;
    game.lastRejection = reason;
    ui.rejection.dataset.action = what;
    return false;
  } finally {
    render();
  }
}

async function dropDisc(column) {
  if (!game.roomId || game.dropPending) return;
  game.dropPending = true;
  try {
    await act('drop', game.types.Drop.encode({ column }).finish(), 'Move');
  } finally {
    game.dropPending = false;
  }
}

async function toggleReady() {
  if (!game.roomId || game.readyPending) return;
  game.readyPending = true;
  render();
  try {
    await act(mySeat()?.ready ? 'unready' : 'ready', new Uint8Array(0), 'Ready');
  } finally {
    game.readyPending = false;
    render();
  }
}

async function sendChat() {
  const text = ui.chatInput.value.trim();
  if (!text || !game.roomId) return;
  ui.chatInput.value = '';
  const line = chatLine(game.name, text);
  try {
    await game.client.emit(game.roomId, 'chat', text, { ack: true });
  } catch (err) {
    line.classList.add('failed');
    line.title = err.message;
    systemLine(`Message not delivered: ${err.message}`, 'failed');
  }
}

// ───────────────────────────── names and texts ─────────────────────────────

function mySeat() {
  return game.seat == null ? undefined : game.seats.get(game.seat);
}

/** A seat's player name, or a placeholder. */
function seatName(seat) {
  return game.seats.get(seat)?.name || `seat ${seat}`;
}

/** "You" for the own seat, else the seat's name. */
function seatLabel(seat) {
  return seat === game.seat ? 'You' : seatName(seat);
}

/**
 * The name of a chat sender. Events carry only player ids, and this game refuses any event but
 * its own (so no "intro" as in Orb Rush); but with two seats a chat from someone else comes from
 * the other seat.
 */
function playerName(playerId) {
  if (!playerId) return 'room';
  if (playerId === game.playerId) return game.name;
  const others = [...game.seats.values()].filter((s) => s.seat !== game.seat);
  return others.length === 1 ? others[0].name : `player ${playerId.slice(0, 6)}`;
}

function outcomeText({ round, winnerSeat, draw, forfeit }) {
  if (draw || winnerSeat == null) return `Round ${round} is a draw.`;
  const who = seatLabel(winnerSeat);
  const verb = winnerSeat === game.seat ? 'win' : 'wins';
  return forfeit ? `${who} ${verb} round ${round} by forfeit.` : `${who} ${verb} round ${round}!`;
}

/** The banner above the board: `{headline, hint, kind}` from the latest state. */
function bannerText() {
  if (!game.roomId) return { headline: 'Enter a name and press Join', hint: '', kind: 'idle' };
  const board = game.board;
  if (!board) return { headline: 'Loading the board…', hint: '', kind: 'idle' };
  const me = mySeat();
  const other = [...game.seats.values()].find((s) => s.seat !== game.seat);
  const readyHint = () => {
    if (!other) return 'Waiting for an opponent: share the invite link.';
    if (!me?.ready) return `Press Ready to ${board.round === 0 ? 'start' : 'play another round'}.`;
    return `Waiting for ${other.name} to be ready…`;
  };
  if (board.phase === 'PLAYING') {
    const turn = board.turnSeat;
    if (turn === game.seat) return { headline: 'Your turn', hint: 'click a column to drop a disc', kind: 'mine' };
    return { headline: `${seatName(turn)}'s turn`, hint: 'waiting for their move', kind: 'theirs' };
  }
  if (board.phase === 'ROUND_OVER') {
    const outcome = outcomeText({ round: board.round, winnerSeat: board.lastWinnerSeat ?? null });
    const kind = board.lastWinnerSeat == null ? 'draw' : board.lastWinnerSeat === game.seat ? 'won' : 'lost';
    return { headline: outcome, hint: readyHint(), kind };
  }
  // LOBBY: after a forfeit (the other player left mid-round) say so first.
  const forfeit = game.lastOutcome?.forfeit && game.lastOutcome.round === board.round;
  return { headline: forfeit ? outcomeText(game.lastOutcome) : 'Lobby', hint: readyHint(), kind: 'lobby' };
}

// ───────────────────────────── drawing ─────────────────────────────

function render() {
  renderBanner();
  renderBoard();
  renderSeats();
  renderReadyButton();
  renderRejection();
}

function renderBanner() {
  const { headline, hint, kind } = bannerText();
  const el = ui.fourMessage;
  if (el.dataset.headline === headline && el.dataset.hint === hint && el.dataset.kind === kind) return;
  el.dataset.headline = headline;
  el.dataset.hint = hint;
  el.dataset.kind = kind;
  const h = document.createElement('span');
  h.className = 'headline';
  h.textContent = headline;
  const t = document.createElement('span');
  t.className = 'hint';
  t.textContent = hint;
  el.replaceChildren(h, t);
}

function renderBoard() {
  const board = game.board;
  const cells = board?.cells?.length === COLUMNS * ROWS ? board.cells : EMPTY_CELLS;
  const winner = board?.phase === 'ROUND_OVER' ? board.lastWinnerSeat ?? null : null;
  const winning = winner == null ? new Set() : winningCells(cells, winner + 1);
  const animate = game.boardShown;
  for (let i = 0; i < cells.length; i += 1) {
    const el = ui.cells[i];
    const disc = String(cells[i]);
    if (el.dataset.disc !== disc) {
      el.classList.remove('fresh');
      if (animate && el.dataset.disc === '0') {
        void el.offsetWidth; // restart the animation
        el.classList.add('fresh');
      }
      el.dataset.disc = disc;
    }
    el.classList.toggle('win', winning.has(i));
  }
  if (board) game.boardShown = true;
  for (let column = 0; column < COLUMNS; column += 1) {
    ui.columns[column].classList.toggle('full', cells[(ROWS - 1) * COLUMNS + column] !== 0);
  }
  const turn = board?.phase === 'PLAYING' ? board.turnSeat ?? null : null;
  ui.board.dataset.phase = board?.phase ?? '';
  ui.board.dataset.turnSeat = turn ?? '';
  ui.board.dataset.mySeat = game.seat ?? '';
  ui.board.dataset.myTurn = String(turn !== null && turn === game.seat);
}

/** The cells of every line of four of `disc` (to highlight the winning line). */
function winningCells(cells, disc) {
  const found = new Set();
  const at = (row, column) => (row >= 0 && row < ROWS && column >= 0 && column < COLUMNS
    ? cells[row * COLUMNS + column] : -1);
  for (let row = 0; row < ROWS; row += 1) {
    for (let column = 0; column < COLUMNS; column += 1) {
      for (const [dr, dc] of LINES) {
        let k = 0;
        while (k < 4 && at(row + dr * k, column + dc * k) === disc) k += 1;
        if (k < 4) continue;
        for (let j = 0; j < 4; j += 1) found.add((row + dr * j) * COLUMNS + column + dc * j);
      }
    }
  }
  return found;
}

let lastSeatsKey = '';

function renderSeats() {
  const turn = game.board?.phase === 'PLAYING' ? game.board.turnSeat : null;
  const rows = [];
  for (let seat = 0; seat < SEATS; seat += 1) rows.push({ seat, s: game.seats.get(seat) });
  const key = JSON.stringify([game.roomId, game.seat, turn, rows]);
  if (key === lastSeatsKey) return;
  lastSeatsKey = key;
  ui.seats.replaceChildren(...rows.map(({ seat, s }) => {
    const li = document.createElement('li');
    li.dataset.seat = String(seat);
    const disc = document.createElement('span');
    disc.className = 'disc';
    disc.dataset.disc = String(seat + 1);
    const name = document.createElement('span');
    name.className = 'name';
    if (!game.roomId) {
      li.className = 'empty';
      name.textContent = `Seat ${seat} (${DISC_LABELS[seat]})`;
      li.append(disc, name);
      return li;
    }
    if (!s) {
      li.className = 'empty';
      name.textContent = 'waiting for a player…';
      li.append(disc, name);
      return li;
    }
    li.dataset.ready = String(s.ready);
    li.classList.toggle('me', seat === game.seat);
    li.classList.toggle('turn', seat === turn);
    name.textContent = seat === game.seat ? `${s.name} (you)` : s.name;
    const badge = document.createElement('span');
    badge.className = 'badge';
    if (turn != null) {
      badge.textContent = seat === turn ? 'to move' : 'waiting';
    } else {
      badge.textContent = s.ready ? 'ready' : 'not ready';
      badge.classList.toggle('ready', s.ready);
    }
    const wins = document.createElement('span');
    wins.className = 'wins';
    wins.textContent = `${s.wins} ${s.wins === 1 ? 'win' : 'wins'}`;
    li.append(disc, name, badge, wins);
    return li;
  }));
}

function renderReadyButton() {
  const button = ui.readyButton;
  const ready = Boolean(mySeat()?.ready);
  const label = ready ? 'Unready' : 'Ready';
  if (button.textContent !== label) button.textContent = label;
  button.dataset.ready = String(ready);
  button.disabled = !game.roomId || !game.board || game.board.phase === 'PLAYING'
    || game.readyPending || game.client?.status !== 'connected';
}

function renderRejection() {
  const el = ui.rejection;
  const text = game.lastRejection ? `${el.dataset.action || 'Action'} refused: ${game.lastRejection}` : '';
  if (el.textContent !== text) el.textContent = text;
  el.hidden = !text;
}

// ───────────────────────────── chat log and HUD ─────────────────────────────

function chatLine(from, text) {
  game.chat.push({ from, text });
  if (game.chat.length > 50) game.chat.shift();
  return ui.log.chat(from, text);
}

function systemLine(text, className = 'system') {
  if (ui.log) ui.log.system(text, className);
}

function setStatus(status) {
  showStatus(ui.status, status);
}

function updateHud() {
  const s = snapshot();
  const set = (key, value) => { ui[`hud_${key}`].textContent = value ?? '–'; };
  set('status', s.status);
  set('rtt', formatRtt(s.rttMs ?? NaN));
  set('node', s.nodeId || null);
  set('room', s.roomId);
  set('seat', s.seat == null ? null : `${s.seat} (${DISC_LABELS[s.seat] ?? '?'})`);
  set('phase', s.phase);
  set('round', s.roomId && s.phase ? s.round : null);
  renderReadyButton(); // follows the connection status too
}

// ───────────────────────────── test hook ─────────────────────────────

/**
 * Plain JSON of what the page shows, from the latest SERVER state:
 * `{status, client, roomId, seat, phase, turnSeat, cells, round, lastWinnerSeat, seats, lastRejection,
 *   events, nodeId, rttMs, name, playerId, chat, statesReceived}`.
 * - `phase` 'LOBBY' | 'PLAYING' | 'ROUND_OVER', null before the room's first state;
 * - `turnSeat` the seat to move (PLAYING only), else null; `lastWinnerSeat` number or null;
 * - `cells` 42 numbers, row-major from the bottom row (0 empty, 1 seat 0, 2 seat 1);
 * - `seats` [{seat, name, ready, wins}] by seat;
 * - `lastRejection` the reason the room refused this player's last action (e.g. "not your
 *   turn"), null once an action was accepted;
 * - `events` the names of the room events received (chat, round-start, your-turn, ...), in order.
 */
function snapshot() {
  const client = game.client;
  const board = game.board;
  const rtt = client?.rttMs;
  return {
    status: client?.status ?? 'loading',
    client: CLIENT_KIND,
    roomId: game.roomId || null,
    seat: game.seat,
    phase: board?.phase ?? null,
    turnSeat: board?.turnSeat ?? null,
    cells: [...(board?.cells ?? EMPTY_CELLS)],
    round: board?.round ?? 0,
    lastWinnerSeat: board?.lastWinnerSeat ?? null,
    seats: [...game.seats.values()]
      .sort((a, b) => a.seat - b.seat)
      .map((s) => ({ seat: s.seat, name: s.name, ready: s.ready, wins: s.wins })),
    lastRejection: game.lastRejection,
    events: [...game.events],
    nodeId: client?.nodeId ?? '',
    rttMs: Number.isFinite(rtt) ? Math.round(rtt) : null,
    name: game.name,
    playerId: game.playerId,
    chat: game.chat.map((c) => ({ ...c })),
    statesReceived: game.statesReceived,
  };
}

function exposeTestHook() {
  window.roomcastFour = {
    snapshot,
    /** The client (for debugging in the console). */
    get client() { return game.client; },
  };
}
