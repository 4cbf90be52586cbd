// parley-client: a client of Parley's WebSocket protocol (docs/protocol.md) for browsers and for
// Node 20+ (with --experimental-websocket, or any WebSocket class passed in). One connection carries
// every room; requests are promises; the connection comes back by itself and resumes each room from
// its last seq, so a room's state holds every log entry once and in order across reconnects.

/**
 * @typedef {{id: string, username: string, name: string, bot: boolean}} User
 * @typedef {{emoji: string, count: number, users: string[]}} Reaction
 * @typedef {{room: string, seq: number, user: User, text?: string, ts: string, clientMsgId?: string,
 *            replyTo?: number, mentions?: User[], editedAt?: string, deleted?: boolean,
 *            reactions?: Reaction[]}} Message
 * @typedef {{clientMsgId: string, text: string, replyTo?: number, state: 'pending'|'failed',
 *            error?: ParleyError}} PendingSend
 * @typedef {() => Promise<string>|string} TokenSource  gives a valid access token; called for every
 *            connection and before the current token expires
 */

/** An error answer of the server (its `code`: bad_request, forbidden, not_found, ...), or `disconnected`. */
export class ParleyError extends Error {
  /** @param {string} code @param {string} message */
  constructor(code, message) {
    super(message);
    this.name = 'ParleyError';
    this.code = code;
  }

  /** The error of a failed REST answer (its problem+json `code` and `detail`). @param {Response} response */
  static async fromResponse(response) {
    const problem = await response.json().catch(() => ({}));
    return new ParleyError(problem.code ?? 'internal', problem.detail ?? response.statusText);
  }

  /** Whether sending the same request again later may succeed. */
  get retryable() {
    return this.code === 'disconnected' || this.code === 'unavailable' || this.code === 'rate_limited';
  }
}

/** A tiny listener registry: `on` returns the function that removes the listener. */
class Emitter {
  #listeners = new Map();

  /** @param {string} type @param {(detail: any) => void} listener @returns {() => void} */
  on(type, listener) {
    if (!this.#listeners.has(type)) this.#listeners.set(type, new Set());
    this.#listeners.get(type).add(listener);
    return () => this.#listeners.get(type)?.delete(listener);
  }

  emit(type, detail) {
    for (const listener of this.#listeners.get(type) ?? []) {
      try {
        listener(detail);
      } catch (e) {
        console.error('parley-client listener failed', e);
      }
    }
  }
}

const LOG_ENTRIES = new Set(['message', 'message.edited', 'message.deleted', 'reaction']);
const USER_EVENTS = new Set(['room.added', 'room.removed', 'room.activity']);
// The entries that can change a reader's unread and mention counts (reactions cannot).
const COUNTED = new Set(['message', 'message.edited', 'message.deleted']);

/**
 * One room as this client knows it: its messages by seq (with edits, deletions and reactions
 * applied), the sends not yet stored, who is online and typing. Events: `change` (after any
 * update), `typing` {user}, `read` {user, seq}.
 */
export class Room extends Emitter {
  /** @type {Map<number, Message>} */
  messages = new Map();
  /** @type {Map<string, PendingSend>} */
  pending = new Map();
  /** @type {Map<string, User>} */
  online = new Map();
  /** The highest seq applied: the cursor a resume starts from. */
  lastSeq = 0;
  /** The caller's read marker and counts, as of the last subscribe. */
  readSeq = 0;
  unread = 0;
  mentions = 0;
  /** Entries that did not follow the last one (never expected: the server's stream is gapless). */
  anomalies = 0;
  /** Whether older messages exist before the oldest loaded one. */
  hasOlder = true;
  /** Whether the room's live stream reaches this client now (false while (re)subscribing). */
  subscribed = false;
  firstReplayed = null;

  /** @param {string} id @param {ParleyClient} client */
  constructor(id, client) {
    super();
    this.id = id;
    this.client = client;
  }

  /** The loaded messages, oldest first. */
  list() {
    return [...this.messages.values()].sort((a, b) => a.seq - b.seq);
  }

  /**
   * Sends a message; it is in `pending` until stored, and retried with the same clientMsgId after a
   * reconnect, so it is stored once. Resolves with the stored message's seq.
   * @param {string} text @param {{replyTo?: number}} [options]
   */
  send(text, options = {}) {
    const clientMsgId = randomId();
    /** @type {PendingSend} */
    const send = { clientMsgId, text, replyTo: options.replyTo, state: 'pending' };
    this.pending.set(clientMsgId, send);
    this.emit('change', this);
    return this.#transmit(send);
  }

  /** @param {PendingSend} send */
  #transmit(send) {
    const frame = { type: 'send', room: this.id, text: send.text, clientMsgId: send.clientMsgId };
    if (send.replyTo != null) frame.replyTo = send.replyTo;
    const attempt = () => this.client.request(frame).then((ok) => {
      // the message event may come before or after this answer; whichever is later finds it stored
      this.pending.delete(send.clientMsgId);
      // sending counts as reading: whoever writes has seen the room up to their own message
      this.readSeq = Math.max(this.readSeq, ok.seq);
      this.client.markRead(this.id, ok.seq);
      this.emit('change', this);
      return ok.seq;
    }, (error) => {
      if (error.retryable) {
        return this.client.connected().then(attempt); // sent again, same clientMsgId, once back
      }
      send.state = 'failed';
      send.error = error;
      this.emit('change', this);
      throw error;
    });
    return attempt();
  }

  /** @param {number} target @param {string} text */
  edit(target, text) {
    return this.client.request({ type: 'edit', room: this.id, target, text });
  }

  /** @param {number} target */
  delete(target) {
    return this.client.request({ type: 'delete', room: this.id, target });
  }

  /** @param {number} target @param {string} emoji @param {boolean} on */
  react(target, emoji, on) {
    return this.client.request({ type: 'react', room: this.id, target, emoji, on });
  }

  /** Moves the read marker (never backwards). @param {number} seq */
  read(seq) {
    return this.client.request({ type: 'read', room: this.id, seq }).then((ok) => {
      this.readSeq = Math.max(this.readSeq, ok.seq);
      return ok.seq;
    });
  }

  typing() {
    this.client.post({ type: 'typing', room: this.id });
  }

  /** Loads the page of messages before the oldest loaded one (infinite scroll). @param {number} [limit] */
  async loadOlder(limit = 50) {
    const oldest = this.messages.size ? Math.min(...this.messages.keys()) : this.lastSeq + 1;
    const page = await this.client.request({ type: 'history', room: this.id, before: oldest, limit });
    for (const m of page.messages) {
      if (!this.messages.has(m.seq)) this.messages.set(m.seq, m);
    }
    this.hasOlder = page.hasMore;
    this.emit('change', this);
    return page.messages.length;
  }

  /** A thread: the replies to a message. @param {number} seq @param {number} [limit] */
  async thread(seq, limit = 100) {
    const page = await this.client.request({ type: 'history', room: this.id, replyTo: seq, limit });
    return page.messages;
  }

  // Called by the client for each event of this room.
  apply(event) {
    if (LOG_ENTRIES.has(event.type)) {
      if (event.seq <= this.lastSeq) {
        this.anomalies++; // seen already: the server never sends an entry twice
        return;
      }
      if (!this.subscribed) {
        // a replay, before the subscribe's ok; it starts later than lastSeq + 1 only when truncated
        this.firstReplayed ??= event.seq;
      } else if (event.seq !== this.lastSeq + 1) {
        this.anomalies++;
      }
      this.lastSeq = event.seq;
      this.#applyEntry(event);
    } else if (event.type === 'presence') {
      if (event.status === 'online') this.online.set(event.user.id, event.user);
      else this.online.delete(event.user.id);
    } else if (event.type === 'typing') {
      this.emit('typing', { user: event.user });
      return;
    } else if (event.type === 'read') {
      // the caller's own marker, moved here or on another connection
      if (event.user?.id === this.client.userId) this.readSeq = Math.max(this.readSeq, event.seq);
      this.emit('read', { user: event.user, seq: event.seq });
      return;
    } else if (event.type === 'member.joined' || event.type === 'member.left') {
      this.emit('member', { type: event.type, user: event.user, reason: event.reason });
      // the caller's own subscription ends with it (left, removed or banned): the server stops sending
      if (event.type === 'member.left' && event.user?.id === this.client.userId) this.emit('ended', { reason: event.reason });
      return;
    } else if (event.type === 'room.deleted') {
      this.emit('ended', { reason: 'deleted' });
      return;
    } else {
      return;
    }
    this.emit('change', this);
  }

  #applyEntry(event) {
    if (event.type === 'message') {
      const { type, ...message } = event;
      this.messages.set(message.seq, message);
      if (message.clientMsgId && message.user.id === this.client.userId) {
        this.pending.delete(message.clientMsgId);
      }
      return;
    }
    const target = this.messages.get(event.target);
    if (!target) return; // older than what is loaded: history shows its current state
    if (event.type === 'message.edited') {
      target.text = event.text;
      target.editedAt = event.editedAt;
      target.mentions = event.mentions;
    } else if (event.type === 'message.deleted') {
      target.deleted = true;
      delete target.text;
      delete target.reactions;
    } else if (event.type === 'reaction') {
      target.reactions = toggled(target.reactions ?? [], event.emoji, event.user.id, event.on);
    }
  }

  // The answer of a (re)subscribe: what the server says of the room now.
  subscribedWith(ok) {
    this.subscribed = true;
    this.readSeq = ok.readSeq;
    this.unread = ok.unread;
    this.mentions = ok.mentions;
    this.online = new Map(ok.presence.map((u) => [u.id, u]));
    if (ok.truncated && this.firstReplayed != null) {
      // more than 500 missed: only the newest came; what is older than them is paged in again
      for (const seq of [...this.messages.keys()]) {
        if (seq < this.firstReplayed) this.messages.delete(seq);
      }
      this.hasOlder = true;
    }
    this.firstReplayed = null;
    this.lastSeq = Math.max(this.lastSeq, ok.lastSeq);
    this.emit('change', this);
  }
}

/**
 * The connection. Options: `url` (ws(s)://host/ws), `token` (a {@link TokenSource}), `userId` (the
 * Parley user id, e.g. from `GET /api/me`; by default the token's `sub`, which is it for built-in
 * accounts but not for Keycloak users), `WebSocket`
 * (defaults to the global one), `backoff` {min, max} in ms, `refreshBefore` (ms before the token's
 * expiry to renew it in place, default 60 s), `connectTimeout` (ms an opening may take before it is
 * given up and tried again, default 10 s). Events: `open`, `close` {code, reason}, `error`; the
 * events to the user rather than to a room, `room.added` {room, reason}, `room.removed` {room,
 * reason} and `room.activity` {room, seq, kind, user, mention, target?} (detail: the event); and
 * `event` for every event the server pushes (detail: the frame), of subscribed rooms or not.
 */
export class ParleyClient extends Emitter {
  /** @type {Map<string, Room>} */
  rooms = new Map();
  /** How many times the connection was opened again after a loss. */
  reconnects = 0;
  /** The signed-in user's id, from the token. */
  userId = null;

  #options;
  #socket = null;
  #nextId = 1;
  #waiting = new Map();
  #attempt = 0;
  #closedByUser = false;
  #refreshTimer = null;
  #reconnectTimer = null;
  #whenConnected = null;
  #wasOpen = false;
  /** @type {Map<string, {seq: number, sent: number, busy: boolean}>} read markers to store, by room */
  #reads = new Map();

  /** @param {{url: string, token: TokenSource, userId?: string, WebSocket?: any, backoff?: {min: number, max: number}, refreshBefore?: number, connectTimeout?: number}} options */
  constructor(options) {
    super();
    this.#options = { backoff: { min: 250, max: 10_000 }, refreshBefore: 60_000, connectTimeout: 10_000, ...options };
    this.#newConnectedPromise();
  }

  /** Opens the connection; resolves once it is open. Afterwards it comes back by itself until {@link close}. */
  connect() {
    this.#closedByUser = false;
    this.#open();
    return this.connected();
  }

  /** Resolves when the connection is (again) open. */
  connected() {
    return this.#whenConnected.promise;
  }

  get isOpen() {
    return this.#socket?.readyState === 1 && this.#whenConnected.settled;
  }

  /** Closes for good: no reconnect; requests waiting fail with `disconnected`. */
  close() {
    this.#closedByUser = true;
    clearTimeout(this.#refreshTimer);
    clearTimeout(this.#reconnectTimer);
    this.#socket?.close(1000, 'bye');
  }

  /**
   * Subscribes to a room and keeps it subscribed across reconnects (resuming from its last seq).
   * @param {string} id @returns {Promise<Room>}
   */
  async subscribe(id) {
    let room = this.rooms.get(id);
    if (!room) {
      room = new Room(id, this);
      this.rooms.set(id, room);
    }
    try {
      await this.#subscribe(room);
    } catch (error) {
      this.rooms.delete(id);
      throw error;
    }
    return room;
  }

  /**
   * Moves the caller's read marker of a room to `seq` (never backwards), subscribed or not. Nothing
   * is waited for and nothing is lost: the newest marker of each room is sent, one request per room
   * at a time, and sent again once the connection is back if it could not be.
   * @param {string} room @param {number} seq
   */
  markRead(room, seq) {
    const entry = this.#reads.get(room) ?? { seq: 0, sent: 0, busy: false };
    if (seq <= entry.seq) return;
    entry.seq = seq;
    this.#reads.set(room, entry);
    this.#flushRead(room);
  }

  #flushRead(room) {
    const entry = this.#reads.get(room);
    if (!entry || entry.busy || entry.seq <= entry.sent || !this.isOpen) return;
    const seq = entry.seq;
    entry.busy = true;
    this.request({ type: 'read', room, seq }).then(() => {
      entry.sent = Math.max(entry.sent, seq);
    }, (error) => {
      // refused for good (no longer a member, the room deleted): nothing more to store
      if (!error.retryable) entry.sent = Math.max(entry.sent, seq);
      else if (error.code === 'rate_limited') return new Promise((resolve) => setTimeout(resolve, 1_000));
    }).finally(() => {
      entry.busy = false;
      if (entry.seq > entry.sent) this.#flushRead(room);
      else if (this.#reads.get(room) === entry) this.#reads.delete(room);
    });
  }

  /** @param {string} id */
  async unsubscribe(id) {
    const room = this.rooms.get(id);
    this.rooms.delete(id);
    if (room && this.isOpen) await this.request({ type: 'unsubscribe', room: id });
  }

  /**
   * Sends a request frame with a fresh id; resolves with the `ok`, rejects with a {@link ParleyError}.
   * @param {object} frame
   */
  request(frame) {
    if (!this.isOpen) return Promise.reject(new ParleyError('disconnected', 'not connected'));
    const id = String(this.#nextId++);
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      this.#socket.send(JSON.stringify({ ...frame, id }));
    });
  }

  /** Sends a frame that gets no answer on success (typing), if connected. @param {object} frame */
  post(frame) {
    if (this.isOpen) this.#socket.send(JSON.stringify(frame));
  }

  async #open() {
    let token;
    try {
      token = await this.#options.token();
    } catch (error) {
      this.emit('error', error);
      this.#scheduleReconnect();
      return;
    }
    this.userId = this.#options.userId ?? claims(token).sub ?? null;
    const Ws = this.#options.WebSocket ?? globalThis.WebSocket;
    // the browser token carrier: never a token in the URL
    const socket = new Ws(this.#options.url,
      ['bearer-token-carrier', encodeURIComponent('quarkus-http-upgrade#Authorization#Bearer ' + token)]);
    this.#socket = socket;
    // an upgrade that never answers (a server shutting down may hold it) must not stall the client
    const abandon = setTimeout(() => {
      if (socket === this.#socket && socket.readyState === 0) {
        this.#closed(socket, { code: 1006, reason: 'connect timeout' });
        this.#socket = null;
        socket.onopen = socket.onmessage = socket.onclose = null;
        socket.close();
      }
    }, this.#options.connectTimeout);
    socket.onopen = () => {
      clearTimeout(abandon);
      this.#opened(token);
    };
    socket.onmessage = (message) => this.#frame(JSON.parse(message.data));
    socket.onclose = (event) => {
      clearTimeout(abandon);
      this.#closed(socket, event);
    };
    socket.onerror = () => {}; // a close follows
  }

  #opened(token) {
    const again = this.#wasOpen;
    this.#attempt = 0;
    this.#whenConnected.settled = true;
    this.#whenConnected.resolve();
    this.#scheduleRefresh(token);
    if (again) this.reconnects++;
    this.#wasOpen = true;
    this.emit('open', { reconnect: again });
    for (const room of this.rooms.values()) {
      this.#subscribe(room).catch((error) => room.emit('error', error));
    }
    for (const room of this.#reads.keys()) this.#flushRead(room);
  }

  async #subscribe(room) {
    const frame = { type: 'subscribe', room: room.id };
    if (room.lastSeq > 0) frame.since = room.lastSeq;
    room.subscribed = false;
    room.firstReplayed = null;
    room.subscribedWith(await this.request(frame));
  }

  #frame(frame) {
    if (frame.type === 'ok' || (frame.type === 'error' && frame.id)) {
      const waiting = this.#waiting.get(frame.id);
      if (!waiting) return;
      this.#waiting.delete(frame.id);
      if (frame.type === 'ok') waiting.resolve(frame);
      else waiting.reject(new ParleyError(frame.code, frame.message));
      return;
    }
    if (frame.type === 'error') {
      this.emit('error', new ParleyError(frame.code, frame.message));
      return;
    }
    const room = typeof frame.room === 'string' ? this.rooms.get(frame.room) : undefined;
    if (room) {
      room.apply(frame);
      if (frame.type === 'member.left' && frame.user?.id === this.userId) this.rooms.delete(room.id);
      if (frame.type === 'room.deleted') this.rooms.delete(room.id);
      if (frame.type === 'room.removed') {
        // normally after member.left or room.deleted ended it; should that have been missed, now
        this.rooms.delete(room.id);
        room.emit('ended', { reason: frame.reason });
      }
    }
    if (USER_EVENTS.has(frame.type)) this.emit(frame.type, frame);
    this.emit('event', frame);
  }

  #closed(socket, event) {
    if (socket !== this.#socket) return;
    clearTimeout(this.#refreshTimer);
    const lost = new ParleyError('disconnected', 'connection closed');
    for (const waiting of this.#waiting.values()) waiting.reject(lost);
    this.#waiting.clear();
    for (const room of this.rooms.values()) room.subscribed = false;
    if (this.#whenConnected.settled) this.#newConnectedPromise();
    this.emit('close', { code: event.code, reason: event.reason });
    if (!this.#closedByUser) this.#scheduleReconnect();
  }

  // Exponential backoff with full jitter, so that clients of a restarted server do not return at once.
  #scheduleReconnect() {
    const { min, max } = this.#options.backoff;
    const ceiling = Math.min(max, min * 2 ** this.#attempt);
    this.#attempt++;
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    this.#reconnectTimer = setTimeout(() => this.#open(), delay);
  }

  // Renews the token on the open socket (the auth frame) before it expires.
  #scheduleRefresh(token) {
    clearTimeout(this.#refreshTimer);
    const { exp } = claims(token);
    if (!exp) return;
    const wait = Math.max(1_000, exp * 1000 - Date.now() - margin(token, this.#options.refreshBefore));
    this.#refreshTimer = setTimeout(async () => {
      try {
        const fresh = await this.#options.token();
        await this.request({ type: 'auth', token: fresh });
        this.emit('refresh', { token: fresh });
        this.#scheduleRefresh(fresh);
      } catch (error) {
        this.emit('error', error);
        // retried shortly; at worst the server closes with 1008 and the reconnect gets a new token
        this.#refreshTimer = setTimeout(() => this.#scheduleRefresh(token), 5_000);
      }
    }, wait);
  }

  #newConnectedPromise() {
    let resolve;
    const promise = new Promise((r) => { resolve = r; });
    this.#whenConnected = { promise, resolve, settled: false };
  }
}

/**
 * Keeps a built-in account signed in: logs in once, then renews the access token through the
 * refresh token (rotated by every refresh) when it is near expiry. Use as a client's `token`.
 * With a `store` ({load(), save(token)}), the refresh token outlives the page: `resume()` signs in
 * again from it, and pages sharing the store take turns refreshing (Web Locks, where the browser has
 * them), each adopting the token the other left.
 */
export class BuiltInAccount {
  #base;
  #store;
  #access = null;
  #refresh = null;
  #refreshing = null;

  /** @param {string} baseUrl e.g. http://localhost:8080 @param {{store?: {load: () => string|null, save: (token: string|null) => void}}} [options] */
  constructor(baseUrl, options = {}) {
    this.#base = baseUrl.replace(/\/$/, '');
    this.#store = options.store ?? null;
  }

  /** Creates a built-in account (then {@link login}). @param {string} username @param {string} password */
  async register(username, password) {
    await this.#post('/api/auth/register', { username, password });
  }

  /** @param {string} username @param {string} password */
  async login(username, password) {
    this.#take(await this.#post('/api/auth/login', { username, password }));
  }

  /** Signs in from the stored refresh token; false when there is none or it no longer works. */
  async resume() {
    if (!this.#store?.load()) return false;
    try {
      await this.token();
      return true;
    } catch {
      return false;
    }
  }

  /** A valid access token, refreshed (once, however many ask at the same time) when near expiry. */
  token = async () => {
    if (this.#access && !nearExpiry(this.#access, 60_000)) return this.#access;
    // one refresh at a time: a refresh token is spent by its first use, and a second use of it
    // would revoke the whole chain
    this.#refreshing ??= this.#exclusively(() => this.#renew()).finally(() => { this.#refreshing = null; });
    await this.#refreshing;
    return this.#access;
  };

  async logout() {
    const refresh = this.#store?.load() ?? this.#refresh;
    if (refresh) await this.#post('/api/auth/logout', { refreshToken: refresh }, true).catch(() => {});
    this.#access = this.#refresh = null;
    this.#store?.save(null);
  }

  async #renew() {
    const stored = this.#store?.load();
    if (stored && stored !== this.#refresh) this.#refresh = stored; // another page refreshed meanwhile
    if (!this.#refresh) throw new ParleyError('unauthorized', 'not signed in');
    this.#take(await this.#post('/api/auth/refresh', { refreshToken: this.#refresh }));
  }

  #exclusively(task) {
    const locks = globalThis.navigator?.locks;
    return this.#store && locks ? locks.request('parley-refresh', task) : task();
  }

  #take(answer) {
    this.#access = answer.accessToken;
    this.#refresh = answer.refreshToken;
    this.#store?.save(answer.refreshToken);
  }

  async #post(path, body, empty = false) {
    const response = await fetch(this.#base + path, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) throw await ParleyError.fromResponse(response);
    return empty ? null : response.json();
  }
}

// How long before its expiry a token is renewed: `before`, or half its lifetime if that is shorter.
function margin(token, before) {
  const { exp, iat } = claims(token);
  return exp && iat ? Math.min(before, ((exp - iat) * 1000) / 2) : before;
}

/**
 * Every room the caller may read (GET /api/rooms), oldest first, following its pages: each page is
 * the rooms after the last one of the page before; a page shorter than `pageSize` is the last.
 * @param {(path: string) => Promise<object[]>} getJson a GET of a path on the server, with the caller's token, parsed
 * @param {number} [pageSize] 1 to 500
 * @returns {Promise<object[]>}
 */
export async function listRooms(getJson, pageSize = 100) {
  const rooms = [];
  for (let after = null; ;) {
    const page = await getJson(`/api/rooms?limit=${pageSize}${after ? `&after=${encodeURIComponent(after)}` : ''}`);
    rooms.push(...page);
    if (page.length < pageSize) return rooms;
    after = page[page.length - 1].id;
  }
}

/**
 * The caller's live list of rooms, as `GET /api/rooms` shows it (public rooms, and their own private
 * and direct rooms, with `unread`, `mentions` and `readSeq`), kept current without polling: loaded
 * when the connection opens and again after every reconnect, then updated by `room.added`,
 * `room.removed`, `room.activity`, the caller's own `read` markers (from any connection) and the
 * entries of the rooms the client is subscribed to. A count that an event cannot settle (an edit or
 * deletion of an unread message, a marker set in the middle) is read again for that room alone
 * (`GET /api/rooms/{id}`). Event: `change` (detail: the list), after any update.
 */
export class RoomList extends Emitter {
  /** @type {Map<string, object>} the rooms by id, in the order `GET /api/rooms` gave them, new ones last */
  rooms = new Map();
  /** Whether the list has been loaded at least once. */
  loaded = false;

  #client;
  #getJson;
  #loading = null;
  #reread = new Map();

  /**
   * @param {ParleyClient} client
   * @param {(path: string) => Promise<any>} getJson a GET of a path on the server with the caller's token, parsed
   */
  constructor(client, getJson) {
    super();
    this.#client = client;
    this.#getJson = getJson;
    client.on('open', () => this.load().catch((error) => this.emit('error', error)));
    client.on('event', (event) => this.#apply(event));
  }

  /** Loads the whole list again (done by itself on every open of the connection). */
  load() {
    this.#loading ??= listRooms(this.#getJson).then((list) => {
      this.rooms = new Map(list.map((r) => [r.id, { ...r }]));
      this.loaded = true;
      this.emit('change', this);
      return this;
    }).finally(() => { this.#loading = null; });
    return this.#loading;
  }

  /** The rooms, in list order. */
  list() {
    return [...this.rooms.values()];
  }

  /** @param {string} id */
  get(id) {
    return this.rooms.get(id);
  }

  #apply(event) {
    const me = this.#client.userId;
    if (event.type === 'room.added') {
      const known = this.rooms.get(event.room.id);
      // a view read before entries that already arrived here must not take their counts back
      this.rooms.set(event.room.id, known && known.lastSeq > event.room.lastSeq ? { ...event.room, lastSeq: known.lastSeq } : { ...event.room });
    } else if (event.type === 'room.removed') {
      const room = this.rooms.get(event.room);
      if (!room) return;
      if (room.visibility === 'public' && event.reason !== 'banned' && event.reason !== 'deleted') {
        // still readable: listed like any public room the caller is not a member of
        this.rooms.set(room.id, { ...room, role: null, unread: 0, mentions: 0, readSeq: 0 });
      } else {
        this.rooms.delete(event.room);
      }
    } else if (event.type === 'room.activity') {
      if (!this.#entry(event.room, event.seq, event.kind, event.user, event.mention, event.target)) return;
    } else if (COUNTED.has(event.type)) {
      const mention = (event.mentions ?? []).some((u) => u.id === me);
      if (!this.#entry(event.room, event.seq, event.type, event.user, mention, event.target)) return;
    } else if (event.type === 'reaction') {
      const room = this.rooms.get(event.room);
      if (room && event.seq > room.lastSeq) room.lastSeq = event.seq;
      return;
    } else if (event.type === 'read' && event.user?.id === me) {
      const room = this.rooms.get(event.room);
      if (!room || event.seq <= room.readSeq) return;
      room.readSeq = event.seq;
      if (event.seq >= room.lastSeq) {
        room.unread = 0;
        room.mentions = 0;
      } else {
        this.#readAgain(room.id); // a marker in the middle: the server counts what is left
      }
    } else {
      return;
    }
    this.emit('change', this);
  }

  // Applies a log entry to its room's counts once; false when it changes nothing.
  #entry(id, seq, kind, user, mention, target) {
    const room = this.rooms.get(id);
    if (!room || seq <= room.lastSeq) return false; // not listed, or counted already (the list was read after it)
    room.lastSeq = seq;
    if (kind === 'message') {
      if (user?.id !== this.#client.userId && seq > room.readSeq && room.role != null) {
        room.unread++;
        if (mention) room.mentions++;
      }
    } else if (target > room.readSeq && room.role != null) {
      this.#readAgain(id); // an unread message edited or deleted: its counts may have changed
    }
    return true;
  }

  // One read of a room's counts at a time, and one more if asked again meanwhile.
  #readAgain(id) {
    const state = this.#reread.get(id);
    if (state) {
      state.again = true;
      return;
    }
    const next = { again: false };
    this.#reread.set(id, next);
    this.#getJson(`/api/rooms/${encodeURIComponent(id)}`).then((view) => {
      const room = this.rooms.get(id);
      if (room) {
        Object.assign(room, { unread: view.unread, mentions: view.mentions, readSeq: Math.max(room.readSeq, view.readSeq) });
        this.emit('change', this);
      }
    }, () => {}).finally(() => {
      this.#reread.delete(id);
      if (next.again) this.#readAgain(id);
    });
  }
}

/**
 * Whether a JWT expires within `before` ms (or half its lifetime, if that is shorter): the moment a
 * {@link ParleyClient} asks its token source for a new token. Token sources renew on this test.
 * @param {string} token @param {number} [before]
 */
export function nearExpiry(token, before = 60_000) {
  const { exp } = claims(token);
  return !exp || exp * 1000 - Date.now() < margin(token, before);
}

// The claims of a JWT, unverified (the server verifies; the client only reads sub and exp).
function claims(token) {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(part + '='.repeat((4 - (part.length % 4)) % 4)));
  } catch {
    return {};
  }
}

function toggled(reactions, emoji, userId, on) {
  const list = reactions.map((r) => ({ ...r, users: [...r.users] }));
  let entry = list.find((r) => r.emoji === emoji);
  if (on) {
    if (!entry) list.push(entry = { emoji, count: 0, users: [] });
    entry.count++;
    if (entry.users.length < 10) entry.users.push(userId);
  } else if (entry) {
    entry.count--;
    entry.users = entry.users.filter((u) => u !== userId);
    if (entry.count <= 0) return list.filter((r) => r !== entry);
  }
  return list;
}

function randomId() {
  return globalThis.crypto?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}
