// The client library against a real Parley, started here as a child process (server.mjs) and
// restarted in the middle. Run by dev.parley.client.ClientLibraryIT. Needs Node 20 with
// --experimental-websocket (or Node 22+).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { BuiltInAccount, ParleyClient, ParleyError, RoomList, listRooms } from '../../main/resources/META-INF/resources/lib/parley-client.js';
import { base, port, startServer, stopServer, until } from './server.mjs';

const wsUrl = `ws://127.0.0.1:${port}/ws`;

async function account(prefix) {
  const username = `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
  const registered = await fetch(`${base}/api/auth/register`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: 'password-123' }),
  });
  assert.equal(registered.status, 201);
  const me = new BuiltInAccount(base);
  await me.login(username, 'password-123');
  return { username, me, id: (await registered.json()).id };
}

async function createRoom(token, visibility = 'public') {
  const response = await fetch(`${base}/api/rooms`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ name: `room-${Date.now()}-${Math.random()}`, visibility }),
  });
  assert.equal(response.status, 201);
  return (await response.json()).id;
}

async function postRest(token, room, text) {
  const response = await fetch(`${base}/api/rooms/${room}/messages`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ text }),
  });
  assert.equal(response.status, 201);
}

function client(who) {
  return new ParleyClient({ url: wsUrl, token: who.me.token, backoff: { min: 100, max: 1_000 }, connectTimeout: 3_000 });
}

function texts(room) {
  return room.list().map((m) => m.deleted ? '(deleted)' : m.text);
}

before(() => startServer('client-test-server'));
after(stopServer);

test('two clients share one room log: messages, replies, edits, deletions, reactions, presence', { timeout: 90_000 }, async () => {
  const alice = await account('alice');
  const bob = await account('bob');
  const roomId = await createRoom(await alice.me.token());
  const a = client(alice);
  const b = client(bob);
  await a.connect();
  await b.connect();
  try {
    const roomA = await a.subscribe(roomId);
    const roomB = await b.subscribe(roomId);
    await until(() => roomA.online.has(bob.id), 5_000, 'bob online for alice');
    const first = await roomA.send('hello');
    await roomB.send('hi alice', { replyTo: first });
    const doomed = await roomA.send('typo');
    await roomA.edit(first, 'hello, bob');
    await roomB.react(first, '👍', true);
    await roomA.delete(doomed);
    await until(() => roomB.lastSeq === roomA.lastSeq && roomA.lastSeq >= 6, 5_000, 'both at the same seq');
    for (const room of [roomA, roomB]) {
      assert.deepEqual(texts(room), ['hello, bob', 'hi alice', '(deleted)']);
      assert.equal(room.messages.get(first).reactions[0].emoji, '👍');
      assert.equal(room.messages.get(first + 1).replyTo, first);
      assert.equal(room.pending.size, 0);
      assert.equal(room.anomalies, 0);
    }
    assert.deepEqual((await roomB.thread(first)).map((m) => m.text), ['hi alice']);
    await assert.rejects(roomB.edit(first, 'not mine'), (e) => e instanceof ParleyError && e.code === 'forbidden');
    b.close();
    await until(() => !roomA.online.has(bob.id), 5_000, 'bob offline for alice');
  } finally {
    a.close();
    b.close();
  }
});

test('a private room of others cannot be subscribed to', { timeout: 90_000 }, async () => {
  const alice = await account('alice');
  const carol = await account('carol');
  const secret = await createRoom(await alice.me.token(), 'private');
  const c = client(carol);
  await c.connect();
  try {
    await assert.rejects(c.subscribe(secret), (e) => e.code === 'forbidden');
    assert.equal(c.rooms.size, 0);
  } finally {
    c.close();
  }
});

test('through a server restart: pending sends stored once, missed messages arrive once, in order', { timeout: 90_000 }, async () => {
  const alice = await account('alice');
  const bob = await account('bob');
  const roomId = await createRoom(await alice.me.token());
  const a = client(alice);
  const b = client(bob);
  for (const [name, c] of [['alice', a], ['bob', b]]) {
    c.on('error', (e) => console.log(`# ${name}: ${e.code ?? ''} ${e.message}`));
    c.on('close', (e) => console.log(`# ${name}: closed ${e.code}`));
    c.on('open', (e) => console.log(`# ${name}: open, reconnect ${e.reconnect}`));
  }
  await a.connect();
  await b.connect();
  try {
    const roomA = await a.subscribe(roomId);
    const roomB = await b.subscribe(roomId);
    for (let i = 1; i <= 3; i++) await roomA.send(`before ${i}`);
    await until(() => roomB.lastSeq === roomA.lastSeq, 5_000, 'bob caught up');

    await stopServer();
    await until(() => !a.isOpen && !b.isOpen, 5_000, 'both see the close');
    // sent while the server is down: pending, then stored once when it is back
    const sends = [roomA.send('while down 1'), roomA.send('while down 2')];
    assert.equal(roomA.pending.size, 2);
    await startServer('client-test-server');
    await postRest(await bob.me.token(), roomId, 'missed by nobody');
    await Promise.all(sends);
    await until(() => roomA.lastSeq === 6 && roomB.lastSeq === 6, 15_000, 'both resumed to seq 6');
    const expected = ['before 1', 'before 2', 'before 3'];
    for (const room of [roomA, roomB]) {
      const after = texts(room).slice(3);
      assert.deepEqual(texts(room).slice(0, 3), expected);
      assert.deepEqual([...after].sort(), ['missed by nobody', 'while down 1', 'while down 2']);
      assert.deepEqual(room.list().map((m) => m.seq), [1, 2, 3, 4, 5, 6]);
      assert.equal(room.anomalies, 0);
      assert.equal(room.pending.size, 0);
    }
    assert.equal(a.reconnects, 1);
    assert.equal(b.reconnects, 1);
  } finally {
    a.close();
    b.close();
  }
});

test('the token is renewed on the open socket before it expires (the server is started with short tokens)', { timeout: 90_000 }, async () => {
  const alice = await account('alice');
  const roomId = await createRoom(await alice.me.token());
  const a = new ParleyClient({ url: wsUrl, token: alice.me.token });
  let refreshed = 0;
  a.on('refresh', () => refreshed++);
  let closes = 0;
  a.on('close', () => closes++);
  await a.connect();
  try {
    const room = await a.subscribe(roomId);
    // lifetime 8 s, renewed halfway: past the first token's expiry without a close
    await until(() => refreshed >= 1, 10_000, 'a refresh');
    await new Promise((r) => setTimeout(r, 5_000));
    assert.equal(closes, 0);
    await room.send('still here');
    await until(() => room.list().some((m) => m.text === 'still here'), 5_000, 'the message back');
  } finally {
    a.close();
  }
});

test('the server serves the library itself, as a JavaScript module', { timeout: 90_000 }, async () => {
  const response = await fetch(`${base}/lib/parley-client.js`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type'), /javascript/);
  const source = readFileSync(new URL('../../main/resources/META-INF/resources/lib/parley-client.js', import.meta.url), 'utf8');
  assert.ok(await response.text() === source, 'the served library is the source (package again after editing it)');
});

test('listRooms follows the pages of GET /api/rooms: every room once, oldest first', { timeout: 90_000 }, async () => {
  const carol = await account('carol');
  const token = await carol.me.token();
  const mine = [];
  for (let i = 0; i < 5; i++) mine.push(await createRoom(token, 'private'));
  const paths = [];
  const rooms = await listRooms(async (path) => {
    paths.push(path);
    const response = await fetch(base + path, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(response.status, 200);
    return response.json();
  }, 2);
  const ids = rooms.map((r) => r.id);
  assert.equal(new Set(ids).size, ids.length, 'no room twice');
  assert.deepEqual(ids.filter((id) => mine.includes(id)), mine);
  assert.ok(paths.length >= 3, `followed ${paths.length} pages`);
  assert.ok(paths.slice(1).every((p) => p.includes('after=')));
});

test('older messages page in from history', { timeout: 90_000 }, async () => {
  const alice = await account('alice');
  const roomId = await createRoom(await alice.me.token());
  const token = await alice.me.token();
  for (let i = 1; i <= 7; i++) await postRest(token, roomId, `m${i}`);
  const a = client(alice);
  await a.connect();
  try {
    const room = await a.subscribe(roomId);
    assert.equal(room.messages.size, 0);
    await room.loadOlder(5);
    assert.deepEqual(texts(room), ['m3', 'm4', 'm5', 'm6', 'm7']);
    assert.equal(room.hasOlder, true);
    await room.loadOlder(5);
    assert.deepEqual(texts(room), ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7']);
    assert.equal(room.hasOlder, false);
  } finally {
    a.close();
  }
});

test('a ban ends the banned client\'s room with ended {reason: banned}; the others see member.left', { timeout: 90_000 }, async () => {
  const alice = await account('alice');
  const bob = await account('bob');
  const roomId = await createRoom(await alice.me.token());
  const a = client(alice);
  const b = client(bob);
  await a.connect();
  await b.connect();
  try {
    const roomA = await a.subscribe(roomId);
    const roomB = await b.subscribe(roomId);
    const ended = new Promise((resolve) => roomB.on('ended', resolve));
    const seen = new Promise((resolve) => roomA.on('member', (e) => { if (e.type === 'member.left') resolve(e); }));
    const banned = await fetch(`${base}/api/rooms/${roomId}/bans`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${await alice.me.token()}` },
      body: JSON.stringify({ username: bob.username, reason: 'test' }),
    });
    assert.equal(banned.status, 204);
    assert.deepEqual(await ended, { reason: 'banned' });
    const left = await seen;
    assert.equal(left.user.id, bob.id);
    assert.equal(left.reason, 'banned');
    await assert.rejects(b.subscribe(roomId), (e) => e instanceof ParleyError && e.code === 'forbidden');
  } finally {
    a.close();
    b.close();
  }
});

test('RoomList: the room list and its badges stay live without polling, on every connection of the user', { timeout: 90_000 }, async () => {
  const alice = await account('alice');
  const bob = await account('bob');
  const aliceToken = await alice.me.token();
  const getJson = async (path) => {
    const response = await fetch(base + path, { headers: { authorization: `Bearer ${await bob.me.token()}` } });
    if (!response.ok) throw await ParleyError.fromResponse(response);
    return response.json();
  };
  const sidebar = client(bob); // the tab showing the list, subscribed to nothing
  const other = client(bob); // another tab of bob's, reading the room
  const list = new RoomList(sidebar, getJson);
  const added = [];
  const removed = [];
  sidebar.on('room.added', (e) => added.push(e));
  sidebar.on('room.removed', (e) => removed.push(e));
  await sidebar.connect();
  await other.connect();
  try {
    await until(() => list.loaded, 5_000, 'the list loaded once the connection opened');
    const roomId = await createRoom(aliceToken, 'private');
    assert.equal(list.get(roomId), undefined);

    // invited: on the list at once, as GET /api/rooms would show it
    const invited = await fetch(`${base}/api/rooms/${roomId}/members`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${aliceToken}` },
      body: JSON.stringify({ username: bob.username }),
    });
    assert.equal(invited.status, 201);
    await until(() => list.get(roomId), 5_000, 'the invitation on the list');
    assert.equal(added[0].reason, 'invited');
    assert.equal(list.get(roomId).role, 'member');

    // activity in a room no connection of bob's reads: unread and mention counts
    await postRest(aliceToken, roomId, 'news');
    await postRest(aliceToken, roomId, `look @${bob.username}`);
    await until(() => list.get(roomId).unread === 2, 5_000, 'two unread');
    assert.equal(list.get(roomId).mentions, 1);

    // read on the other tab: the badge clears here too
    const reading = await other.subscribe(roomId);
    other.markRead(roomId, reading.lastSeq);
    await until(() => list.get(roomId).unread === 0 && list.get(roomId).mentions === 0, 5_000, 'badge cleared by the other tab');

    // sending counts as reading
    await postRest(aliceToken, roomId, 'anyone?');
    await until(() => list.get(roomId).unread === 1, 5_000, 'one unread');
    await until(() => reading.lastSeq === 3, 5_000, 'the other tab has it');
    const reply = await reading.send('me');
    await until(() => list.get(roomId).unread === 0 && list.get(roomId).readSeq === reply, 5_000, 'reading by sending');

    // a marker set just before the tab leaves the room is not lost
    await postRest(aliceToken, roomId, 'last one');
    await until(() => reading.lastSeq === 5 && list.get(roomId).unread === 1, 5_000, 'the last one arrived');
    other.markRead(roomId, reading.lastSeq);
    await other.unsubscribe(roomId);
    await until(() => list.get(roomId).unread === 0, 5_000, 'the marker stored after leaving the room');
    const stored = await getJson(`/api/rooms/${roomId}`);
    assert.equal(stored.readSeq, 5);
    assert.equal(stored.unread, 0);

    // removed: off the list on every connection
    const gone = await fetch(`${base}/api/rooms/${roomId}/members/${bob.username}`, {
      method: 'DELETE', headers: { authorization: `Bearer ${aliceToken}` },
    });
    assert.equal(gone.status, 204);
    await until(() => !list.get(roomId), 5_000, 'the room off the list');
    assert.deepEqual(removed.map((e) => [e.room, e.reason]), [[roomId, 'removed']]);
  } finally {
    sidebar.close();
    other.close();
  }
});
