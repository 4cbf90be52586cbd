// Parley's web app, on the client library. Every user-supplied string goes into the page as text
// (textContent, never innerHTML); the page's CSP allows scripts from this origin only.
import { BuiltInAccount, ParleyClient, ParleyError, RoomList } from '/lib/parley-client.js';
import { KeycloakAccount } from '/app/keycloak.js';

const $ = (id) => document.getElementById(id);
const QUICK_REACTIONS = ['👍', '❤️', '😂', '🎉'];

// The refresh token is kept in localStorage so that a reload or a new tab stays signed in; the
// access token lives in memory only. The refresh token is rotated by every refresh and a stolen,
// already used copy revokes its chain (docs/client.md); tabs take turns refreshing (Web Locks).
const store = {
  load: () => localStorage.getItem('parley.refresh'),
  save: (token) => (token ? localStorage.setItem('parley.refresh', token) : localStorage.removeItem('parley.refresh')),
};

const builtIn = new BuiltInAccount(location.origin, { store });
let keycloak = null; // a KeycloakAccount when the server names a realm
let account = builtIn; // whichever signed in
let client = null;
let me = null;
let rooms = [];
let roomList = null;
let current = null; // {view, room, members, off: [unsubscribe...]}
let replyTo = null;
const typingUsers = new Map();

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'class') node.className = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (value !== undefined && value !== null && value !== false) node.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: { authorization: `Bearer ${await account.token()}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!response.ok) throw await ParleyError.fromResponse(response);
  return response.status === 204 ? null : response.json();
}

function status(text) {
  $('status').textContent = text;
}

// --- signing in ---------------------------------------------------------------------------------

async function signIn(event, register = false) {
  event.preventDefault();
  const username = $('username').value.trim();
  const password = $('password').value;
  $('signin-error').textContent = '';
  try {
    if (register) await builtIn.register(username, password);
    await builtIn.login(username, password);
    account = builtIn;
    await start();
  } catch (error) {
    $('signin-error').textContent = error.message;
  }
}

async function start() {
  me = await api('GET', '/api/me');
  $('me').textContent = me.displayName ?? me.username;
  $('signin').hidden = true;
  $('chat').hidden = false;
  client = new ParleyClient({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`, token: account.token, userId: me.id,
  });
  client.on('close', () => status('Reconnecting…'));
  client.on('open', () => status(''));
  // the list and its badges follow the server's events to this user; loaded again on every reconnect
  roomList = new RoomList(client, (path) => api('GET', path));
  roomList.on('change', showRooms);
  await client.connect();
  await loadRooms();
}

async function signOut() {
  client?.close();
  if (account === keycloak) {
    await keycloak.logout(); // leaves for Keycloak, which sends the page back signed out
    return;
  }
  await account.logout().catch(() => {});
  location.reload();
}

// Which ways in the server offers; then back in from a Keycloak redirect or an earlier visit, or
// the sign-in form.
async function boot() {
  const options = await fetch('/api/auth/options').then((r) => (r.ok ? r.json() : {})).catch(() => ({}));
  $('register').hidden = options.registration === false;
  if (options.keycloak) {
    keycloak = await KeycloakAccount.create(options.keycloak);
    $('keycloak-signin').hidden = false;
    if (KeycloakAccount.isCallback()) {
      await keycloak.completeSignIn();
      account = keycloak;
      return start();
    }
    if (await keycloak.resume()) {
      account = keycloak;
      return start();
    }
  }
  if (await builtIn.resume()) return start();
  $('signin').hidden = false;
}

// --- rooms --------------------------------------------------------------------------------------

async function loadRooms() {
  await roomList.load();
}

function showRooms() {
  rooms = roomList.list();
  const list = $('room-list');
  list.replaceChildren(...rooms.map((r) => {
    const badges = [];
    if (r.id !== current?.view.id && r.unread > 0) badges.push(el('span', { class: 'badge', 'aria-label': `${r.unread} unread` }, r.unread));
    if (r.id !== current?.view.id && r.mentions > 0) badges.push(el('span', { class: 'badge mention', 'aria-label': `${r.mentions} mentions` }, '@' + r.mentions));
    return el('li', {},
      el('button', {
        type: 'button', class: r.id === current?.view.id ? 'room-link active' : 'room-link',
        'aria-current': r.id === current?.view.id ? 'true' : null, 'data-room': r.id, onclick: () => openRoom(r),
      }, r.visibility === 'direct' ? '@ ' : r.visibility === 'private' ? '🔒 ' : '# ', r.name, ...badges));
  }));
}

async function openRoom(view) {
  if (current) {
    current.off.forEach((off) => off());
    await client.unsubscribe(current.view.id).catch(() => {});
  }
  replyTo = null;
  typingUsers.clear();
  $('replying').hidden = true;
  try {
    const room = await client.subscribe(view.id);
    current = { view, room, members: [], memberPages: 1, asked: new Set(), muted: new Map(), banned: [], off: [] };
    current.off.push(room.on('change', () => render()));
    current.off.push(room.on('typing', ({ user }) => showTyping(user)));
    current.off.push(room.on('member', () => loadMembers()));
    current.off.push(room.on('ended', ({ reason }) => {
      if (current?.room !== room) return;
      status(reason === 'banned' ? `You were banned from ${view.name}` : reason === 'removed' ? `You were removed from ${view.name}`
        : reason === 'deleted' ? `${view.name} was deleted` : `You left ${view.name}`);
      leftRoom();
    }));
    $('room-title').textContent = view.name;
    $('room-actions').hidden = false;
    $('delete-room').hidden = view.role !== 'owner';
    $('invite').hidden = view.visibility === 'direct';
    $('leave-room').hidden = view.visibility === 'direct';
    $('composer').hidden = false;
    $('messages').replaceChildren();
    await Promise.all([room.loadOlder(50), loadMembers()]);
    render(true);
    $('text').focus();
    await loadRooms();
  } catch (error) {
    status(error.message);
  }
}

// --- messages -----------------------------------------------------------------------------------

function render(scrollToEnd = false) {
  if (!current) return;
  const { room } = current;
  const box = $('messages');
  const atEnd = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  box.replaceChildren(...room.list().map((m) => messageItem(m)),
    ...[...room.pending.values()].map((p) => el('li', { class: `message pending ${p.state}` },
      el('span', { class: 'author' }, me.displayName ?? me.username),
      el('span', { class: 'meta' }, p.state === 'failed' ? `not sent: ${p.error?.message}` : 'sending…'),
      el('p', { class: 'text' }, p.text))));
  renderMembers();
  if (scrollToEnd || atEnd) box.scrollTop = box.scrollHeight;
  markRead();
}

// Members, online ones first, a page of MEMBER_PAGE at a time ("More members" shows the next);
// someone online who is not listed yet (just joined) reloads the pages shown.
const MEMBER_PAGE = 100;

async function loadMembers() {
  if (!current) return;
  const { view, memberPages } = current;
  let members = [];
  let more = false;
  try {
    for (let page = 0; page < memberPages; page++) {
      const after = members.length ? `&after=${encodeURIComponent(members.at(-1).user.username)}` : '';
      const got = await api('GET', `/api/rooms/${view.id}/members?limit=${MEMBER_PAGE}${after}`);
      members = members.concat(got);
      more = got.length === MEMBER_PAGE;
      if (!more) break;
    }
    if (moderator(view)) {
      const [mutes, bans] = await Promise.all([api('GET', `/api/rooms/${view.id}/mutes`), api('GET', `/api/rooms/${view.id}/bans`)]);
      if (current?.view.id === view.id) {
        current.muted = new Map(mutes.map((m) => [m.user.id, m]));
        current.banned = bans;
      }
    }
  } catch {
    return; // the list stays as it was; the next presence change asks again
  }
  if (current?.view.id === view.id) {
    current.members = members;
    $('more-members').hidden = !more;
    renderMembers();
  }
}

function renderMembers() {
  const { room, members } = current;
  const unlisted = [...room.online.keys()].filter((id) => !members.some((m) => m.user.id === id) && !current.asked.has(id));
  if (unlisted.length) {
    unlisted.forEach((id) => current.asked.add(id)); // asked once each: no request storm
    loadMembers();
  }
  const sorted = [...members].sort((a, b) => Number(room.online.has(b.user.id)) - Number(room.online.has(a.user.id)));
  $('members').replaceChildren(...sorted.map((m) => {
    const online = room.online.has(m.user.id);
    const muted = current.muted.get(m.user.id);
    return el('li', { class: online ? 'online' : 'offline', 'data-user': m.user.username }, m.user.name,
      el('span', { class: 'visually-hidden' }, online ? ' (online)' : ' (offline)'),
      m.role !== 'member' ? el('span', { class: 'meta' }, ` ${m.role}`) : null,
      muted ? el('span', { class: 'meta' }, ' muted') : null,
      mayModerate(m) ? el('span', { class: 'moderation' },
        muted ? el('button', { type: 'button', class: 'small secondary', onclick: () => moderate('DELETE', 'mutes', m.user, `Unmuted ${m.user.name}`) }, 'Unmute')
          : el('button', { type: 'button', class: 'small secondary', onclick: () => moderate('POST', 'mutes', m.user, `Muted ${m.user.name} for 10 minutes`, { minutes: 10 }) }, 'Mute 10 min'),
        el('button', { type: 'button', class: 'small danger', onclick: () => {
          if (confirm(`Ban ${m.user.name} from this room?`)) moderate('POST', 'bans', m.user, `Banned ${m.user.name}`, {});
        } }, 'Ban')) : null);
  }));
  $('banned').replaceChildren(...current.banned.map((b) => el('li', { 'data-user': b.user.username }, b.user.name,
    el('span', { class: 'meta' }, b.until ? ` until ${new Date(b.until).toLocaleString()}` : ''),
    el('button', { type: 'button', class: 'small secondary', onclick: () => moderate('DELETE', 'bans', b.user, `Lifted the ban of ${b.user.name}`) }, 'Lift ban'))));
  $('banned-title').hidden = current.banned.length === 0;
}

// Owners and admins moderate a room, except a direct one; nobody the owner, and only the owner an admin.
function moderator(view) {
  return (view.role === 'owner' || view.role === 'admin') && view.visibility !== 'direct';
}

function mayModerate(member) {
  const { view } = current;
  return moderator(view) && member.user.id !== me.id && member.role !== 'owner' && (member.role !== 'admin' || view.role === 'owner');
}

async function moderate(method, kind, user, done, body) {
  try {
    const path = `/api/rooms/${current.view.id}/${kind}`;
    await (method === 'POST' ? api('POST', path, { username: user.username, ...body })
      : api('DELETE', `${path}/${encodeURIComponent(user.username)}`));
    status(done);
    await loadMembers();
  } catch (error) { fail(error); }
}

function messageItem(m) {
  const own = m.user.id === me.id;
  const item = el('li', { class: `message${own ? ' own' : ''}${m.deleted ? ' deleted' : ''}`, 'data-seq': m.seq },
    el('span', { class: 'author' }, m.user.name),
    el('time', { class: 'meta', datetime: m.ts }, new Date(m.ts).toLocaleTimeString()),
    m.editedAt && !m.deleted ? el('span', { class: 'meta' }, ' (edited)') : null);
  if (m.replyTo) {
    const original = current.room.messages.get(m.replyTo);
    item.append(el('p', { class: 'quote' }, '↪ ', original ? `${original.user.name}: ${original.text ?? 'message deleted'}` : `reply to #${m.replyTo}`));
  }
  item.append(m.deleted ? el('p', { class: 'text' }, 'message deleted') : textWithMentions(m));
  if (!m.deleted && m.attachment) item.append(attachmentView(m.attachment));
  if (!m.deleted) {
    const reactions = el('div', { class: 'reactions' });
    const mine = new Set((m.reactions ?? []).filter((r) => r.users.includes(me.id)).map((r) => r.emoji));
    for (const r of m.reactions ?? []) {
      reactions.append(el('button', {
        type: 'button', class: mine.has(r.emoji) ? 'reaction mine' : 'reaction', 'aria-pressed': String(mine.has(r.emoji)),
        'aria-label': `${r.emoji} ${r.count}`, onclick: () => current.room.react(m.seq, r.emoji, !mine.has(r.emoji)).catch(fail),
      }, `${r.emoji} ${r.count}`));
    }
    for (const emoji of QUICK_REACTIONS.filter((e) => !(m.reactions ?? []).some((r) => r.emoji === e))) {
      reactions.append(el('button', {
        type: 'button', class: 'reaction add', 'aria-label': `react ${emoji}`,
        onclick: () => current.room.react(m.seq, emoji, true).catch(fail),
      }, emoji));
    }
    const actions = el('div', { class: 'message-actions' },
      el('button', { type: 'button', class: 'small secondary', onclick: () => startReply(m) }, 'Reply'),
      el('button', { type: 'button', class: 'small secondary', onclick: () => showThread(m, item) }, 'Thread'));
    if (own) {
      actions.append(
        el('button', { type: 'button', class: 'small secondary', onclick: () => editMessage(m) }, 'Edit'),
        el('button', { type: 'button', class: 'small danger', onclick: () => current.room.delete(m.seq).catch(fail) }, 'Delete'));
    }
    item.append(reactions, actions);
  }
  return item;
}

// --- attachments --------------------------------------------------------------------------------

// The files are fetched with the token (an <img src> could not carry it) and shown from blob: URLs,
// each fetched once per page.
const INLINE_IMAGES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);
const blobs = new Map();

function attachmentBlob(a) {
  if (!blobs.has(a.id)) {
    blobs.set(a.id, (async () => {
      const response = await fetch(`/api/attachments/${a.id}`, { headers: { authorization: `Bearer ${await account.token()}` } });
      if (!response.ok) throw await ParleyError.fromResponse(response);
      return URL.createObjectURL(await response.blob());
    })());
    blobs.get(a.id).catch(() => blobs.delete(a.id));
  }
  return blobs.get(a.id);
}

function attachmentView(a) {
  const size = a.size < 1024 ? `${a.size} B` : a.size < 1048576 ? `${(a.size / 1024).toFixed(1)} KB` : `${(a.size / 1048576).toFixed(1)} MB`;
  if (INLINE_IMAGES.has(a.contentType)) {
    const img = el('img', { class: 'attachment-image', alt: a.name });
    attachmentBlob(a).then((url) => { img.src = url; }).catch(fail);
    return el('figure', { class: 'attachment' }, img, el('figcaption', { class: 'meta' }, `${a.name} · ${size}`));
  }
  return el('p', { class: 'attachment' }, el('button', {
    type: 'button', class: 'small secondary attachment-link', onclick: async () => {
      try {
        const link = el('a', { href: await attachmentBlob(a), download: a.name });
        document.body.append(link);
        link.click();
        link.remove();
      } catch (error) { fail(error); }
    },
  }, `⤓ ${a.name}`), el('span', { class: 'meta' }, ` ${size} · ${a.contentType}`));
}

// Uploads with progress (XMLHttpRequest: fetch reports none for uploads); the composer's text is the caption.
async function upload(file) {
  if (!current || !file) return;
  const room = current.view.id;
  const form = new FormData();
  form.append('file', file, file.name);
  if ($('text').value.trim()) form.append('text', $('text').value);
  const bar = $('upload-progress');
  bar.hidden = false;
  bar.value = 0;
  const token = await account.token();
  try {
    await new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', `/api/rooms/${room}/attachments`);
      xhr.setRequestHeader('authorization', `Bearer ${token}`);
      xhr.upload.onprogress = (e) => { if (e.lengthComputable) bar.value = e.loaded / e.total; };
      xhr.onload = () => {
        if (xhr.status === 200 || xhr.status === 201) return resolve();
        let detail = `upload failed (${xhr.status})`;
        try { detail = JSON.parse(xhr.responseText).detail ?? detail; } catch { /* not a problem body */ }
        reject(new Error(detail));
      };
      xhr.onerror = () => reject(new Error('upload failed: network error'));
      xhr.send(form);
    });
    $('text').value = '';
    status(`Sent ${file.name}`);
  } catch (error) {
    fail(error);
  } finally {
    bar.hidden = true;
    $('file').value = '';
  }
}

// The text, with the @names that the server resolved to members highlighted.
function textWithMentions(m) {
  const p = el('p', { class: 'text' });
  const names = new Set((m.mentions ?? []).map((u) => u.username));
  for (const part of (m.text ?? '').split(/(@[a-z0-9_.-]+)/i)) {
    p.append(part.startsWith('@') && names.has(part.slice(1).toLowerCase()) ? el('mark', { class: 'mention' }, part) : part);
  }
  return p;
}

async function showThread(m, item) {
  const replies = await current.room.thread(m.seq).catch(fail);
  item.querySelector('.thread')?.remove();
  item.append(el('ol', { class: 'thread', 'aria-label': 'Thread' },
    ...(replies?.length ? replies.map((r) => el('li', {}, el('span', { class: 'author' }, r.user.name), ' ', r.deleted ? 'message deleted' : r.text))
      : [el('li', {}, 'No replies yet')])));
}

function startReply(m) {
  replyTo = m.seq;
  $('replying').hidden = false;
  $('replying').querySelector('span').textContent = `Replying to ${m.user.name}`;
  $('text').focus();
}

function editMessage(m) {
  const text = prompt('Edit message', m.text);
  if (text !== null && text.trim() && text !== m.text) current.room.edit(m.seq, text).catch(fail);
}

function fail(error) {
  status(error.message);
}

async function send(event) {
  event.preventDefault();
  const text = $('text').value;
  if (!current || !text.trim()) return;
  $('text').value = '';
  const options = replyTo ? { replyTo } : {};
  replyTo = null;
  $('replying').hidden = true;
  current.room.send(text, options).catch(fail);
  render(true);
}

let lastTyping = 0;
function typed() {
  if (current && Date.now() - lastTyping > 2_000) {
    lastTyping = Date.now();
    current.room.typing();
  }
}

function showTyping(user) {
  clearTimeout(typingUsers.get(user.id)?.timer);
  typingUsers.set(user.id, { user, timer: setTimeout(() => { typingUsers.delete(user.id); showTypers(); }, 3_000) });
  showTypers();
}

function showTypers() {
  const names = [...typingUsers.values()].map((t) => t.user.name);
  $('typing').textContent = names.length ? `${names.join(', ')} ${names.length > 1 ? 'are' : 'is'} typing…` : '';
}

// The read marker follows what is on screen while the page is visible; the library sends the newest
// one per room and keeps it when the room is left at once.
function markRead() {
  const room = current?.room;
  if (room && document.visibilityState === 'visible' && room.lastSeq > room.readSeq) client.markRead(room.id, room.lastSeq);
}

async function olderOnScroll() {
  const box = $('messages');
  if (current && box.scrollTop === 0 && current.room.hasOlder) {
    const before = box.scrollHeight;
    await current.room.loadOlder(50);
    box.scrollTop = box.scrollHeight - before;
  }
}

// --- wiring -------------------------------------------------------------------------------------

$('signin-form').addEventListener('submit', signIn);
$('register').addEventListener('click', (e) => signIn(e, true));
$('keycloak-signin').addEventListener('click', () => {
  keycloak.signIn().catch((error) => { $('signin-error').textContent = error.message; });
});
$('logout').addEventListener('click', signOut);
$('composer').addEventListener('submit', send);
$('text').addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey) {
    e.preventDefault();
    $('composer').requestSubmit();
  }
});
$('text').addEventListener('input', typed);
$('cancel-reply').addEventListener('click', () => { replyTo = null; $('replying').hidden = true; });
$('messages').addEventListener('scroll', olderOnScroll);
$('more-members').addEventListener('click', () => {
  current.memberPages++;
  loadMembers();
});
document.addEventListener('visibilitychange', markRead);
$('create-room').addEventListener('submit', async (e) => {
  e.preventDefault();
  try {
    const view = await api('POST', '/api/rooms', { name: $('room-name').value.trim(), visibility: $('room-visibility').value });
    $('room-name').value = '';
    await loadRooms();
    await openRoom(view);
  } catch (error) { fail(error); }
});
$('start-dm').addEventListener('submit', async (e) => {
  e.preventDefault();
  try {
    const view = await api('POST', '/api/dms', { username: $('dm-username').value.trim() });
    $('dm-username').value = '';
    await loadRooms();
    await openRoom(view);
  } catch (error) { fail(error); }
});
$('invite').addEventListener('submit', async (e) => {
  e.preventDefault();
  try {
    await api('POST', `/api/rooms/${current.view.id}/members`, { username: $('invite-username').value.trim() });
    $('invite-username').value = '';
    status('Invited');
  } catch (error) { fail(error); }
});
$('leave-room').addEventListener('click', async () => {
  try {
    await api('DELETE', `/api/rooms/${current.view.id}/members/${encodeURIComponent(me.username)}`);
    leftRoom();
  } catch (error) { fail(error); }
});
$('delete-room').addEventListener('click', async () => {
  if (!confirm('Delete this room for everyone?')) return;
  try {
    await api('DELETE', `/api/rooms/${current.view.id}`);
    leftRoom();
  } catch (error) { fail(error); }
});

function leftRoom() {
  current?.off.forEach((off) => off());
  current = null;
  $('room-title').textContent = 'Pick a room';
  $('room-actions').hidden = true;
  $('composer').hidden = true;
  $('messages').replaceChildren();
  $('members').replaceChildren();
  $('banned').replaceChildren();
  $('banned-title').hidden = true;
  $('more-members').hidden = true;
  loadRooms();
}

// --- search -------------------------------------------------------------------------------------

let search = null; // {q, next}

async function runSearch(more = false) {
  const q = more ? search.q : $('search-q').value.trim();
  if (!q) return;
  try {
    const before = more && search.next ? `&before=${encodeURIComponent(search.next)}` : '';
    const page = await api('GET', `/api/search?q=${encodeURIComponent(q)}&limit=20${before}`);
    search = { q, next: page.next };
    const items = page.results.map(({ room, message }) => {
      const name = rooms.find((r) => r.id === room)?.name ?? 'a room';
      return el('li', {}, el('button', { type: 'button', class: 'result', onclick: () => jumpTo(room, message.seq) },
        el('span', { class: 'meta' }, `${name} · ${message.user.name} · ${new Date(message.ts).toLocaleString()}`),
        el('span', { class: 'text' }, message.text)));
    });
    if (more) $('search-results').append(...items);
    else $('search-results').replaceChildren(...items);
    if (!more && items.length === 0) $('search-results').replaceChildren(el('li', { class: 'meta' }, 'Nothing found'));
    $('search-results').hidden = false;
    $('more-results').hidden = !page.hasMore;
  } catch (error) { fail(error); }
}

// Opens the result's room and pages back until its message is shown, then points at it.
async function jumpTo(roomId, seq) {
  if (current?.view.id !== roomId) {
    const view = rooms.find((r) => r.id === roomId);
    if (!view) return status('That room is not in your list');
    await openRoom(view);
  }
  if (current?.view.id !== roomId) return;
  const { room } = current;
  while (!room.messages.has(seq) && room.hasOlder) await room.loadOlder(100);
  render();
  const item = $('messages').querySelector(`li[data-seq="${seq}"]`);
  if (!item) return status('That message is no longer there');
  $('messages').querySelectorAll('li.found').forEach((li) => li.classList.remove('found'));
  item.classList.add('found');
  item.setAttribute('tabindex', '-1');
  item.scrollIntoView({ block: 'center' });
  item.focus();
}

// --- bots ---------------------------------------------------------------------------------------

async function loadBots() {
  const bots = await api('GET', '/api/bots');
  $('bot-list').replaceChildren(...bots.map((bot) => el('li', { class: 'bot' },
    el('span', { class: 'name' }, bot.name), ' ', el('span', { class: 'username' }, `@${bot.username}`),
    bot.webhookUrl ? el('span', { class: 'webhook' }, ` → ${bot.webhookUrl}`) : null, ' ',
    el('button', {
      type: 'button', class: 'small danger', 'aria-label': `Revoke ${bot.username}`,
      onclick: async () => {
        if (!confirm(`Revoke ${bot.username}? Its token stops working at once.`)) return;
        try { await api('DELETE', `/api/bots/${bot.id}`); status(`Revoked ${bot.username}`); await loadBots(); } catch (error) { fail(error); }
      },
    }, 'Revoke'))));
}

$('bots').addEventListener('toggle', () => { if ($('bots').open) loadBots().catch(fail); });
$('create-bot').addEventListener('submit', async (e) => {
  e.preventDefault();
  try {
    const url = $('bot-webhook').value.trim();
    const bot = await api('POST', '/api/bots', { name: $('bot-name').value.trim(), ...(url ? { webhookUrl: url } : {}) });
    $('bot-name').value = '';
    $('bot-webhook').value = '';
    $('bot-token').value = bot.token;
    $('bot-secret').value = bot.webhookSecret ?? '';
    $('bot-secret').hidden = $('bot-secret-label').hidden = !bot.webhookSecret;
    $('bot-created').hidden = false;
    status(`Created bot @${bot.username}`);
    await loadBots();
  } catch (error) { fail(error); }
});

$('search').addEventListener('submit', (e) => { e.preventDefault(); runSearch(); });
$('file').addEventListener('change', () => upload($('file').files[0]));
$('more-results').addEventListener('click', () => runSearch(true));

boot().catch((error) => {
  $('signin').hidden = false;
  $('signin-error').textContent = error.message;
});
