/**
 * Orb Rush — the Roomcast browser demo.
 *
 * Players steer around a 960 x 640 arena and collect orbs. The server is authoritative (20 Hz
 * ticks); this page predicts the own avatar (applies own input at once, reconciles with each
 * server state) and interpolates the others about 100 ms in the past.
 *
 * Query parameters: `?name=Alice` sets the name and joins at once; `?room=<id>` joins that
 * room instead of quick-joining (and also joins at once); `?autojoin=1` joins at once with a
 * random name.
 *
 * Loaded by main.js (the page's game chooser) once the Orb Rush view is in the page.
 *
 * Test hook: `window.roomcastDemo.snapshot()` returns plain JSON of the latest server state.
 */
import { CLIENT_KIND, createClient, monotonicNow } from './client.js';
import { ChatLog, connectAndJoin, formatRtt, inviteUrl, leaveRoom, logConnection, showStatus } from './hud.js';

const DEMO_PROTO_URL = '/proto/roomcast/games/demo.proto';
const GAME_TYPE = 'orb-rush';

// The server's rules (kept in step with the Java demo room).
const WORLD_W = 960;
const WORLD_H = 640;
const AVATAR_R = 20;
const ORB_R = 10;
const SPEED = 200; // units per second
const MIN_X = AVATAR_R;
const MAX_X = WORLD_W - AVATAR_R;
const MIN_Y = AVATAR_R;
const MAX_Y = WORLD_H - AVATAR_R;

// Networking and smoothing.
const INTERP_DELAY_MS = 100;   // others are drawn this far in the past
const SNAPSHOT_KEEP_MS = 1000;
const LAG_WINDOW = 40;         // states used to map server time to local time (2 s at 20 Hz)
const RESEND_MS = 100;         // resend a held direction this often
const MIN_INPUT_GAP_MS = 34;   // never more than ~30 inputs per second
const CORRECTION_TAU_MS = 100; // how fast small prediction corrections fade
const SNAP_DISTANCE = 80;      // larger corrections are applied at once
const HUD_INTERVAL_MS = 200;

const PALETTE = ['#e6194b', '#3cb44b', '#4363d8', '#f58231', '#911eb4', '#42d4f4', '#f032e6', '#bfef45'];

const KEY_DIRECTIONS = {
  KeyW: [0, -1], ArrowUp: [0, -1],
  KeyS: [0, 1], ArrowDown: [0, 1],
  KeyA: [-1, 0], ArrowLeft: [-1, 0],
  KeyD: [1, 0], ArrowRight: [1, 0],
};

// ───────────────────────────── page state ─────────────────────────────

const ui = {};

/** Everything the page knows; `server` is the latest authoritative state, never predicted. */
const game = {
  client: null,
  DemoInput: null,
  DemoEntity: null,
  name: '',
  roomId: '',
  seat: null,
  playerId: '',
  tickMs: 50,         // from Joined.tick_rate_hz
  tick: 0,
  statesReceived: 0,
  server: { avatars: new Map(), orbs: new Map() },
  decoded: new Map(), // entity id -> {bytes, value}: decode each changed entity once
  snapshots: [],      // [{t, avatars: Map<seat, {x, y}>}], t in local monotonic ms
  lagSamples: [],     // receivedAt - serverTimeMs of recent states
  names: new Map(),   // player id -> name (learnt from "intro" events)
  chat: [],           // [{from, text}] for the test hook
  drawnOthers: [],    // where the other avatars were last drawn (for debugging)
};

/** The own avatar's prediction. */
const me = {
  known: false,
  x: 0,
  y: 0,
  at: 0,      // the local time (monotonic ms) x, y are for
  corrX: 0,   // visual offset left by a correction, fading to 0
  corrY: 0,
  history: [], // inputs sent: [{seq, dx, dy, t}]
  lastCorrection: 0, // size of the last reconciliation correction, in units (for debugging)
};

/** Keyboard and input sending. */
const input = {
  held: new Set(),
  sent: { dx: 0, dy: 0 }, // the direction the server will apply (last sent)
  sentAt: -Infinity,
  forceSend: false,
  rttMs: 50,              // smoothed RTT for reconciliation
};

// ───────────────────────────── start-up ─────────────────────────────

main().catch((err) => {
  console.error(err);
  setStatus('closed');
  systemLine(`Cannot start: ${err.message}`, 'failed');
});

async function main() {
  bindUi();
  exposeTestHook();
  const { client, type } = await createClient([DEMO_PROTO_URL]);
  game.client = client;
  game.DemoInput = type('roomcast.games.demo.DemoInput');
  game.DemoEntity = type('roomcast.games.demo.DemoEntity');
  listen(client);
  bindKeys();
  setInterval(updateHud, HUD_INTERVAL_MS);
  setInterval(() => sendInputIfDue(monotonicNow()), RESEND_MS / 2); // also runs in background tabs
  requestAnimationFrame(frame);

  const params = new URLSearchParams(location.search);
  ui.name.value = params.get('name') || `Player-${100 + Math.floor(Math.random() * 900)}`;
  ui.room.value = params.get('room') || '';
  if (params.has('name') || params.has('room') || params.get('autojoin') === '1') startGame();
}

function bindUi() {
  for (const id of ['name', 'room', 'join', 'leave', 'status', 'canvas', 'scoreboard', 'invite',
    'chat-log', 'chat-input', 'chat-send', 'join-form', 'chat-form']) {
    ui[id.replace(/-(\w)/g, (_, c) => c.toUpperCase())] = document.getElementById(id);
  }
  for (const key of ['status', 'rtt', 'tick', 'players', 'node', 'room', 'seat', 'score']) {
    ui[`hud_${key}`] = document.getElementById(`hud-${key}`);
  }
  ui.ctx = setUpCanvas(ui.canvas);
  ui.log = new ChatLog(ui.chatLog);
  ui.joinForm.addEventListener('submit', (e) => { e.preventDefault(); startGame(); });
  ui.leave.addEventListener('click', leaveGame);
  ui.chatForm.addEventListener('submit', (e) => { e.preventDefault(); sendChat(); });
  ui.chatInput.addEventListener('keydown', (e) => { if (e.key === 'Escape') ui.chatInput.blur(); });
}

/** Sizes the canvas backing store for the screen's pixel ratio; draws in world units. */
function setUpCanvas(canvas) {
  const dpr = window.devicePixelRatio || 1;
  canvas.width = WORLD_W * dpr;
  canvas.height = WORLD_H * dpr;
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return ctx;
}

// ───────────────────────────── joining and leaving ─────────────────────────────

async function startGame() {
  const client = game.client;
  if (!client || game.roomId) return;
  game.name = ui.name.value.trim().slice(0, 32) || 'Player';
  if (await connectAndJoin(client, ui, GAME_TYPE, game.name, systemLine)) {
    document.activeElement?.blur(); // let the keys reach the game
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
  game.tick = 0;
  game.server = { avatars: new Map(), orbs: new Map() };
  game.decoded.clear();
  game.snapshots = [];
  resetPrediction();
  ui.join.disabled = false;
  ui.leave.disabled = true;
  ui.chatInput.disabled = true;
  ui.chatSend.disabled = true;
}

function resetPrediction() {
  me.known = false;
  me.history = [];
  me.corrX = 0;
  me.corrY = 0;
  input.forceSend = true; // tell the (new or resumed) seat our current direction
}

// ───────────────────────────── network events ─────────────────────────────

function listen(client) {
  client.on('status', ({ status }) => setStatus(status));
  client.on('joined', onJoined);
  client.on('left', ({ roomId, reason }) => {
    if (roomId !== game.roomId) return;
    systemLine(`Left room ${roomId} (${reason}).`);
    clearRoom();
  });
  client.on('state', onState);
  client.on('event', onEvent);
  client.on('rtt', ({ rttMs }) => { input.rttMs = input.rttMs * 0.7 + rttMs * 0.3; });
  logConnection(client, systemLine);
}

function onJoined(info) {
  if (info.gameType !== GAME_TYPE) return;
  const changedRoom = info.roomId !== game.roomId;
  game.roomId = info.roomId;
  game.seat = info.seat;
  game.playerId = info.playerId;
  game.tickMs = 1000 / (info.tickRateHz || 20);
  game.names.set(info.playerId, game.name);
  if (changedRoom) {
    game.decoded.clear();
    game.snapshots = [];
  }
  resetPrediction();
  ui.join.disabled = true;
  ui.leave.disabled = false;
  ui.chatInput.disabled = false;
  ui.chatSend.disabled = false;
  const invite = inviteUrl(GAME_TYPE, info.roomId);
  ui.invite.href = invite;
  ui.invite.textContent = invite;
  systemLine(`${info.resumed ? 'Resumed' : 'Joined'} room ${info.roomId}, seat ${info.seat}.`);
  // Tell the others our name (chat shows names, events carry only player ids).
  game.client.emit(info.roomId, 'intro', game.name);
}

/** A server state: decode it, keep it for the HUD/test hook, buffer it for interpolation, and
 *  reconcile the own prediction. */
function onState(state) {
  if (state.roomId !== game.roomId) return;
  game.tick = state.tick;
  game.statesReceived += 1;
  game.server = decodeEntities(state.entities);
  bufferSnapshot(state);
  reconcile(state);
}

function decodeEntities(entities) {
  const avatars = new Map();
  const orbs = new Map();
  for (const [id, bytes] of entities) {
    const entity = decodeEntity(id, bytes);
    if (entity.avatar) avatars.set(entity.avatar.seat, entity.avatar);
    else if (entity.orb) orbs.set(id, entity.orb);
  }
  for (const id of game.decoded.keys()) if (!entities.has(id)) game.decoded.delete(id);
  return { avatars, orbs };
}

function decodeEntity(id, bytes) {
  const cached = game.decoded.get(id);
  if (cached && cached.bytes === bytes) return cached.value;
  const value = game.DemoEntity.toObject(game.DemoEntity.decode(bytes), { defaults: true });
  game.decoded.set(id, { bytes, value });
  return value;
}

// ───────────────────────────── interpolation of others ─────────────────────────────

/**
 * Keeps a timestamped copy of the avatars' positions. The timestamp is the server's time of
 * the state mapped to the local clock with the smallest recent delay, so network jitter does
 * not shake the timeline.
 */
function bufferSnapshot(state) {
  const serverT = state.serverTimeMs || state.tick * game.tickMs;
  game.lagSamples.push(state.receivedAt - serverT);
  if (game.lagSamples.length > LAG_WINDOW) game.lagSamples.shift();
  const t = serverT + Math.min(...game.lagSamples);
  const avatars = new Map();
  for (const [seat, a] of game.server.avatars) avatars.set(seat, { x: a.x, y: a.y });
  game.snapshots.push({ t, avatars });
  while (game.snapshots.length > 2 && game.snapshots[0].t < t - SNAPSHOT_KEEP_MS) game.snapshots.shift();
}

/** A seat's position at local time `renderT`, between the two snapshots around it. */
function interpolatedPosition(seat, renderT) {
  const snaps = game.snapshots;
  if (snaps.length === 0) return null;
  let i = snaps.length - 1;
  while (i > 0 && snaps[i - 1].t > renderT) i -= 1;
  const b = snaps[i];
  const a = i > 0 ? snaps[i - 1] : null;
  const pb = b.avatars.get(seat);
  const pa = a?.avatars.get(seat);
  if (!pa || !pb || renderT >= b.t) return pb ?? pa ?? null;
  const k = Math.max(0, Math.min(1, (renderT - a.t) / (b.t - a.t || 1)));
  return { x: pa.x + (pb.x - pa.x) * k, y: pa.y + (pb.y - pa.y) * k };
}

// ───────────────────────────── prediction of the own avatar ─────────────────────────────

/**
 * Server reconciliation: start from the server's position of our avatar, then replay the
 * inputs the server has not applied yet (seq above `state.mySeq`) over the time since that
 * state. The state's moment on our prediction timeline is about one RTT before it arrived
 * (input travel + state travel), plus half a tick: the server applies an input at the next
 * tick but moves with it for that whole tick, i.e. from the tick before, on average half a
 * tick earlier than the input arrived.
 */
function reconcile(state) {
  const avatar = game.server.avatars.get(game.seat);
  if (!avatar) return;
  me.history = me.history.filter((h) => h.seq > state.mySeq);
  const now = monotonicNow();
  const stateT = state.receivedAt - input.rttMs + game.tickMs / 2;
  let pos = { x: avatar.x, y: avatar.y };
  let t = stateT;
  let vx = avatar.vx;
  let vy = avatar.vy;
  for (const h of me.history) {
    const until = Math.max(t, h.t);
    pos = step(pos, vx, vy, (until - t) / 1000);
    t = until;
    vx = h.dx * SPEED;
    vy = h.dy * SPEED;
  }
  pos = step(pos, vx, vy, (now - t) / 1000);
  applyCorrection(pos, now);
}

/** Moves the prediction to `pos` (for time `now`), keeping a fading visual offset for small
 *  corrections. */
function applyCorrection(pos, now) {
  if (me.known) {
    const drawn = step(me, input.sent.dx * SPEED, input.sent.dy * SPEED, (now - me.at) / 1000);
    const offX = drawn.x + me.corrX - pos.x;
    const offY = drawn.y + me.corrY - pos.y;
    me.lastCorrection = Math.hypot(offX - me.corrX, offY - me.corrY);
    const far = Math.hypot(offX, offY) > SNAP_DISTANCE;
    me.corrX = far ? 0 : offX;
    me.corrY = far ? 0 : offY;
  }
  me.x = pos.x;
  me.y = pos.y;
  me.at = now;
  me.known = true;
}

/** The server's movement rule: position += v * dt, clamped to the arena. */
function step(pos, vx, vy, dt) {
  return {
    x: clamp(pos.x + vx * dt, MIN_X, MAX_X),
    y: clamp(pos.y + vy * dt, MIN_Y, MAX_Y),
  };
}

/** Advances the prediction to the frame's time `now` with the direction last sent. */
function predict(now, dtMs) {
  if (!me.known || game.client.status !== 'connected') return;
  const pos = step(me, input.sent.dx * SPEED, input.sent.dy * SPEED, Math.max(0, now - me.at) / 1000);
  me.x = pos.x;
  me.y = pos.y;
  me.at = Math.max(me.at, now);
  const fade = Math.exp(-dtMs / CORRECTION_TAU_MS);
  me.corrX *= fade;
  me.corrY *= fade;
}

// ───────────────────────────── keyboard and inputs ─────────────────────────────

function bindKeys() {
  window.addEventListener('keydown', (e) => {
    if (!KEY_DIRECTIONS[e.code] || isTyping(e)) return;
    e.preventDefault();
    input.held.add(e.code);
    sendInputIfDue(monotonicNow());
  });
  window.addEventListener('keyup', (e) => {
    if (!input.held.delete(e.code)) return;
    sendInputIfDue(monotonicNow());
  });
  window.addEventListener('blur', () => {
    input.held.clear();
    sendInputIfDue(monotonicNow());
  });
}

function isTyping(e) {
  const tag = e.target?.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA';
}

/** The stick direction from the held keys; diagonals have length 1. */
function keyDirection() {
  let dx = 0;
  let dy = 0;
  for (const code of input.held) {
    dx += KEY_DIRECTIONS[code][0];
    dy += KEY_DIRECTIONS[code][1];
  }
  dx = Math.sign(dx);
  dy = Math.sign(dy);
  const len = Math.sqrt(dx * dx + dy * dy);
  // Rounded to float32 as on the wire, so the prediction moves exactly as the server will.
  return len > 0 ? { dx: Math.fround(dx / len), dy: Math.fround(dy / len) } : { dx: 0, dy: 0 };
}

/**
 * Sends the direction when it changed (at most one input per MIN_INPUT_GAP_MS), and resends
 * a held direction every RESEND_MS.
 */
function sendInputIfDue(now) {
  if (!game.roomId || game.client.status !== 'connected') return;
  const dir = keyDirection();
  const changed = input.forceSend || dir.dx !== input.sent.dx || dir.dy !== input.sent.dy;
  const held = dir.dx !== 0 || dir.dy !== 0;
  const since = now - input.sentAt;
  if (changed ? since < MIN_INPUT_GAP_MS : !held || since < RESEND_MS) return;
  const payload = game.DemoInput.encode({ dx: dir.dx, dy: dir.dy }).finish();
  const seq = game.client.sendInput(game.roomId, payload);
  if (!seq) return;
  input.sent = dir;
  input.sentAt = now;
  input.forceSend = false;
  me.history.push({ seq, dx: dir.dx, dy: dir.dy, t: now });
  if (me.history.length > 200) me.history.shift();
}

// ───────────────────────────── chat ─────────────────────────────

async function sendChat() {
  const text = ui.chatInput.value.trim();
  if (!text || !game.roomId) return;
  ui.chatInput.value = '';
  ui.chatInput.blur(); // back to the game: the movement keys work again
  const line = chatLine(game.name, text);
  try {
    await game.client.emit(game.roomId, 'chat', text, { ack: true });
  } catch (err) {
    line.classList.add('failed');
    line.title = err.message;
    systemLine(`Message not delivered: ${err.message}`, 'failed');
  }
}

function onEvent(event) {
  if (event.roomId && event.roomId !== game.roomId) return;
  if (event.name === 'intro') {
    const known = game.names.has(event.fromPlayer);
    game.names.set(event.fromPlayer, event.text().slice(0, 32));
    // A newcomer introduced itself: answer it directly so it learns our name too.
    if (!known && !event.direct) game.client.emit(game.roomId, 'intro', game.name, { to: event.fromPlayer });
  } else if (event.name === 'chat') {
    chatLine(playerName(event.fromPlayer), event.text());
  }
}

function playerName(playerId) {
  if (!playerId) return 'room';
  return game.names.get(playerId) ?? `player ${playerId.slice(0, 6)}`;
}

function chatLine(from, text) {
  game.chat.push({ from, text });
  if (game.chat.length > 50) game.chat.shift();
  return ui.log.chat(from, text);
}

function systemLine(text, className = 'system') {
  if (ui.log) ui.log.system(text, className);
}

// ───────────────────────────── drawing ─────────────────────────────

let lastFrameAt = monotonicNow();

function frame(now) {
  const dtMs = Math.min(100, now - lastFrameAt);
  lastFrameAt = now;
  if (game.client) {
    sendInputIfDue(now);
    predict(now, dtMs);
  }
  draw(now);
  requestAnimationFrame(frame);
}

function draw(now) {
  const ctx = ui.ctx;
  drawArena(ctx);
  for (const orb of game.server.orbs.values()) drawOrb(ctx, orb);
  const renderT = now - INTERP_DELAY_MS;
  game.drawnOthers = [];
  for (const [seat, avatar] of game.server.avatars) {
    if (seat === game.seat) continue;
    const pos = interpolatedPosition(seat, renderT) ?? avatar;
    game.drawnOthers.push({ seat, x: pos.x, y: pos.y });
    drawAvatar(ctx, avatar, pos, false);
  }
  const mine = game.server.avatars.get(game.seat);
  if (mine) {
    const pos = me.known ? { x: me.x + me.corrX, y: me.y + me.corrY } : mine;
    drawAvatar(ctx, mine, pos, true);
  }
  if (!game.roomId) drawCenteredText(ctx, 'Enter a name and press Join');
}

function drawArena(ctx) {
  ctx.fillStyle = '#0b0e14';
  ctx.fillRect(0, 0, WORLD_W, WORLD_H);
  ctx.strokeStyle = '#161b26';
  ctx.lineWidth = 1;
  ctx.beginPath();
  for (let x = 40; x < WORLD_W; x += 40) { ctx.moveTo(x, 0); ctx.lineTo(x, WORLD_H); }
  for (let y = 40; y < WORLD_H; y += 40) { ctx.moveTo(0, y); ctx.lineTo(WORLD_W, y); }
  ctx.stroke();
}

function drawOrb(ctx, orb) {
  ctx.beginPath();
  ctx.arc(orb.x, orb.y, ORB_R, 0, Math.PI * 2);
  ctx.fillStyle = '#ffd54a';
  ctx.shadowColor = '#ffd54a';
  ctx.shadowBlur = 12;
  ctx.fill();
  ctx.shadowBlur = 0;
}

function drawAvatar(ctx, avatar, pos, isMe) {
  ctx.beginPath();
  ctx.arc(pos.x, pos.y, AVATAR_R, 0, Math.PI * 2);
  ctx.fillStyle = avatarColor(avatar);
  ctx.fill();
  if (isMe) {
    ctx.lineWidth = 3;
    ctx.strokeStyle = '#ffffff';
    ctx.stroke();
  }
  ctx.fillStyle = '#e4e8f1';
  ctx.font = '13px system-ui, sans-serif';
  ctx.textAlign = 'center';
  ctx.fillText(`${avatar.name} (${avatar.score})`, pos.x, pos.y - AVATAR_R - 6);
}

function drawCenteredText(ctx, text) {
  ctx.fillStyle = '#8c96ad';
  ctx.font = '24px system-ui, sans-serif';
  ctx.textAlign = 'center';
  ctx.fillText(text, WORLD_W / 2, WORLD_H / 2);
}

function avatarColor(avatar) {
  if (avatar.color) return `#${avatar.color.toString(16).padStart(6, '0')}`;
  return PALETTE[avatar.seat % PALETTE.length];
}

// ───────────────────────────── HUD and scoreboard ─────────────────────────────

function setStatus(status) {
  showStatus(ui.status, status);
}

function updateHud() {
  const s = snapshot();
  const set = (key, value) => { ui[`hud_${key}`].textContent = value ?? '–'; };
  set('status', s.status);
  set('rtt', formatRtt(s.rttMs ?? NaN));
  set('tick', s.roomId ? s.tick : null);
  set('players', s.roomId ? s.players.length : null);
  set('node', s.nodeId || null);
  set('room', s.roomId);
  set('seat', s.seat);
  set('score', s.players.find((p) => p.seat === s.seat)?.score);
  updateScoreboard(s.players, s.seat);
}

let lastScoreboard = '';

function updateScoreboard(players, mySeat) {
  const rows = [...players].sort((a, b) => b.score - a.score || a.seat - b.seat);
  const key = JSON.stringify(rows.map((p) => [p.seat, p.name, p.score]));
  if (key === lastScoreboard) return;
  lastScoreboard = key;
  ui.scoreboard.replaceChildren(...rows.map((p) => {
    const li = document.createElement('li');
    if (p.seat === mySeat) li.className = 'me';
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.background = avatarColor(game.server.avatars.get(p.seat) ?? p);
    const points = document.createElement('span');
    points.className = 'points';
    points.textContent = p.score;
    li.append(swatch, document.createTextNode(p.name), points);
    return li;
  }));
}

// ───────────────────────────── test hook ─────────────────────────────

/**
 * Plain JSON for tests, from the latest SERVER state (not the predicted or interpolated one).
 */
function snapshot() {
  const client = game.client;
  const rtt = client?.rttMs;
  return {
    status: client?.status ?? 'loading',
    client: CLIENT_KIND,
    sessionId: client?.sessionId ?? '',
    nodeId: client?.nodeId ?? '',
    roomId: game.roomId || null,
    seat: game.seat,
    tick: game.tick,
    rttMs: Number.isFinite(rtt) ? Math.round(rtt) : null,
    players: [...game.server.avatars.values()]
      .sort((a, b) => a.seat - b.seat)
      .map((a) => ({ seat: a.seat, name: a.name, x: a.x, y: a.y, score: a.score })),
    statesReceived: game.statesReceived,
    name: game.name,
    playerId: game.playerId,
    chat: game.chat.map((c) => ({ ...c })),
  };
}

function exposeTestHook() {
  window.roomcastDemo = {
    snapshot,
    /** Prediction internals, for debugging. */
    debug: () => ({
      predicted: me.known ? { x: me.x, y: me.y } : null,
      drawn: me.known ? { x: me.x + me.corrX, y: me.y + me.corrY } : null,
      lastCorrection: me.lastCorrection,
      unacknowledgedInputs: me.history.length,
      direction: { ...input.sent },
      others: game.drawnOthers.map((o) => ({ ...o })),
      smoothedRttMs: input.rttMs,
    }),
    /** The client (for debugging in the console). */
    get client() { return game.client; },
  };
}

function clamp(v, lo, hi) {
  return Math.max(lo, Math.min(hi, v));
}
