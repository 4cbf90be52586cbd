// The web app in a real headless Chromium (Debian's, at PARLEY_TEST_CHROMIUM), driven by
// playwright-core, against a Parley JVM started and restarted here. Run by dev.parley.client.WebAppIT.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';

import { chromium } from 'playwright-core';

import { base, startServer, stopServer, until } from '../js/server.mjs';

let browser;
const shots = process.env.PARLEY_TEST_SCREENSHOTS;

before(async () => {
  await startServer('webapp-test-server');
  browser = await chromium.launch({
    executablePath: process.env.PARLEY_TEST_CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  if (shots) mkdirSync(shots, { recursive: true });
});

after(async () => {
  await browser?.close();
  await stopServer();
});

async function signUp(prefix) {
  const context = await browser.newContext({ baseURL: base, viewport: { width: 1200, height: 800 } });
  const page = await context.newPage();
  page.on('dialog', (dialog) => dialog.accept(page.nextPrompt));
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  const username = `${prefix}-${Math.random().toString(36).slice(2, 9)}`;
  await page.goto('/');
  await page.getByLabel('Username', { exact: true }).fill(username);
  await page.getByLabel('Password', { exact: true }).fill('password-123');
  await page.getByRole('button', { name: 'Create account', exact: true }).click();
  await page.locator('#me').getByText(username).waitFor();
  return { page, username, errors, context };
}

function messages(page) {
  return page.locator('#messages > li.message:not(.pending)');
}

async function say(page, text) {
  await page.getByLabel('Message', { exact: true }).fill(text);
  await page.getByLabel('Message', { exact: true }).press('Enter');
}

async function openRoom(page, name) {
  await until(async () => (await page.locator('#room-list button', { hasText: name }).count()) > 0, 15_000, `room ${name} listed`);
  await page.locator('#room-list button', { hasText: name }).click();
  await page.locator('#room-title', { hasText: name }).waitFor();
}

test('two people chat: messages both ways, reactions, replies, edits, deletions, typing, presence, safety', { timeout: 180_000 }, async () => {
  const alice = await signUp('alice');
  if (shots) await alice.page.screenshot({ path: `${shots}/rooms.png` });
  const bob = await signUp('bob');
  const room = `lobby-${Date.now()}`;
  await alice.page.getByLabel('New room', { exact: true }).fill(room);
  await alice.page.getByRole('button', { name: 'Create', exact: true }).click();
  await alice.page.locator('#room-title', { hasText: room }).waitFor();
  await bob.page.reload();
  await openRoom(bob.page, room);

  // the members, with presence: each sees the other online
  await alice.page.locator('#members li.online', { hasText: bob.username }).waitFor();
  await bob.page.locator('#members li.online', { hasText: alice.username }).waitFor();

  await say(alice.page, `hello @${bob.username}`);
  await bob.page.locator('#messages .text', { hasText: 'hello' }).waitFor();
  assert.equal(await bob.page.locator('#messages mark.mention').innerText(), `@${bob.username}`);
  // typing, then an answer
  await bob.page.getByLabel('Message', { exact: true }).pressSequentially('hi');
  await alice.page.locator('#typing', { hasText: `${bob.username} is typing` }).waitFor();
  await bob.page.getByLabel('Message', { exact: true }).press('Enter');
  await alice.page.locator('#messages .text', { hasText: /^hi$/ }).waitFor();

  // a reaction from alice on bob's message reaches bob
  await alice.page.locator('#messages li.message', { hasText: /^bob/ }).getByRole('button', { name: 'react 👍', exact: true }).click();
  await bob.page.locator('#messages li.message', { hasText: 'hi' }).getByRole('button', { name: '👍 1', exact: true }).waitFor();

  // bob replies to alice's message
  await bob.page.locator('#messages li.message', { hasText: 'hello' }).getByRole('button', { name: 'Reply', exact: true }).click();
  await say(bob.page, 'a reply');
  await alice.page.locator('#messages .quote', { hasText: 'hello' }).waitFor();

  // alice edits her message (the prompt answered with the new text); bob deletes his reply
  alice.page.nextPrompt = 'hello, edited';
  await alice.page.locator('#messages li.message.own', { hasText: 'hello' }).getByRole('button', { name: 'Edit', exact: true }).click();
  await bob.page.locator('#messages .text', { hasText: 'hello, edited' }).waitFor();
  await bob.page.locator('#messages li.message.own', { hasText: 'a reply' }).getByRole('button', { name: 'Delete', exact: true }).click();
  await alice.page.locator('#messages .text', { hasText: 'message deleted' }).waitFor();

  // markup is text: nothing runs, no element is made from it
  await say(bob.page, '<img src=x onerror="window.__xss = 1"><b>bold?</b>');
  await alice.page.locator('#messages .text', { hasText: '<img src=x' }).waitFor();
  assert.equal(await alice.page.locator('#messages img, #messages b').count(), 0);
  assert.equal(await alice.page.evaluate(() => window.__xss), undefined);
  if (shots) await alice.page.screenshot({ path: `${shots}/chat.png` });

  // bob's page closes: alice sees him offline, still a member
  await bob.page.goto('about:blank');
  await alice.page.locator('#members li.offline', { hasText: bob.username }).waitFor();
  await bob.page.goto('/');
  await openRoom(bob.page, room);
  await alice.page.locator('#members li.online', { hasText: bob.username }).waitFor();

  // a private room of alice's is not listed for a third person
  const carol = await signUp('carol');
  await alice.page.getByLabel('New room', { exact: true }).fill(`secret-${Date.now()}`);
  await alice.page.locator('#room-visibility').selectOption('private');
  await alice.page.getByRole('button', { name: 'Create', exact: true }).click();
  await carol.page.reload();
  await carol.page.locator('#room-list button', { hasText: room }).waitFor();
  assert.equal(await carol.page.locator('#room-list button', { hasText: 'secret-' }).count(), 0);

  // the server restarts: a message written meanwhile is sent once it is back, and shown once
  await openRoom(alice.page, room);
  const before = await messages(bob.page).count();
  await stopServer();
  await say(alice.page, 'while the server was down');
  await alice.page.locator('#messages li.pending', { hasText: 'while the server was down' }).waitFor();
  await startServer('webapp-test-server');
  await bob.page.locator('#messages .text', { hasText: 'while the server was down' }).waitFor({ timeout: 30_000 });
  await until(async () => (await alice.page.locator('#messages li.pending').count()) === 0, 15_000, 'pending cleared');
  assert.equal(await bob.page.locator('#messages .text', { hasText: 'while the server was down' }).count(), 1);
  assert.equal(await messages(bob.page).count(), before + 1);

  // signed in across a reload (the refresh token)
  await bob.page.reload();
  await bob.page.locator('#me').getByText(bob.username).waitFor();

  for (const who of [alice, bob, carol]) {
    assert.deepEqual(who.errors.filter((e) => !/WebSocket|Failed to load resource|ERR_CONNECTION_REFUSED/.test(e)), []);
    await who.context.close();
  }
});

test('search jumps to a message in its room; the owner mutes, unmutes and bans from the members list', { timeout: 180_000 }, async () => {
  const alice = await signUp('alice');
  const bob = await signUp('bob');
  const room = `plaza-${Date.now()}`;
  await alice.page.getByLabel('New room', { exact: true }).fill(room);
  await alice.page.getByRole('button', { name: 'Create', exact: true }).click();
  await alice.page.locator('#room-title', { hasText: room }).waitFor();
  const word = `needle${Math.random().toString(36).slice(2, 8)}`;
  await say(alice.page, `the ${word} is here`);
  for (let i = 0; i < 120; i++) await say(alice.page, `filler ${i}`); // the found message is pages back
  await alice.page.locator('#messages .text', { hasText: /^filler 119$/ }).waitFor();

  // bob searches, and the result opens the room scrolled to the message
  await bob.page.reload();
  await bob.page.getByLabel('Search messages', { exact: true }).fill(word);
  await bob.page.getByRole('button', { name: 'Search', exact: true }).click();
  await bob.page.locator('#search-results .result', { hasText: `the ${word} is here` }).click();
  await bob.page.locator('#room-title', { hasText: room }).waitFor();
  await bob.page.locator('#messages li.message.found', { hasText: word }).waitFor();
  assert.equal(await bob.page.locator('#messages li.found').evaluate((li) => li === document.activeElement), true);
  if (shots) await bob.page.screenshot({ path: `${shots}/search.png` });

  // alice attaches a picture (shown inline) and a text file (offered as a download), with progress
  const dot = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
  await alice.page.getByLabel('Message', { exact: true }).fill('a dot');
  await alice.page.locator('#file').setInputFiles({ name: 'dot.png', mimeType: 'image/png', buffer: dot });
  await alice.page.locator('#status', { hasText: 'Sent dot.png' }).waitFor();
  const picture = bob.page.locator('#messages li.message', { hasText: 'a dot' }).locator('img.attachment-image');
  await until(async () => (await picture.evaluate((img) => img.complete && img.naturalWidth)) === 1, 15_000, 'image shown');
  await alice.page.locator('#file').setInputFiles({ name: 'notes.txt', mimeType: 'image/png', buffer: Buffer.from('just text\n') });
  const download = bob.page.locator('#messages button.attachment-link', { hasText: 'notes.txt' });
  await download.waitFor();
  // only raster images keep their type: any other file is recorded and offered as bytes to download
  assert.match(await bob.page.locator('#messages p.attachment', { hasText: 'notes.txt' }).innerText(), /application\/octet-stream/);
  const [file] = await Promise.all([bob.page.waitForEvent('download'), download.click()]);
  assert.equal(file.suggestedFilename(), 'notes.txt');
  if (shots) await bob.page.screenshot({ path: `${shots}/attachments.png` });

  // alice (the owner) mutes bob: his send fails; unmuted, it goes
  const bobInList = alice.page.locator('#members li', { hasText: bob.username });
  await bobInList.getByRole('button', { name: 'Mute 10 min', exact: true }).click();
  await alice.page.locator('#status', { hasText: 'Muted' }).waitFor();
  await bobInList.getByText('muted').waitFor();
  await say(bob.page, 'can you hear me');
  await bob.page.locator('#messages li.pending.failed', { hasText: 'can you hear me' }).waitFor();
  await bob.page.locator('#messages li.pending', { hasText: 'muted in this room' }).waitFor();
  await bobInList.getByRole('button', { name: 'Unmute', exact: true }).click();
  await alice.page.locator('#status', { hasText: 'Unmuted' }).waitFor();
  await say(bob.page, 'back again');
  await alice.page.locator('#messages .text', { hasText: 'back again' }).waitFor();

  // banned: bob's page leaves the room and no longer lists it; alice can lift the ban
  if (shots) await alice.page.screenshot({ path: `${shots}/moderation.png` });
  await bobInList.getByRole('button', { name: 'Ban', exact: true }).click();
  await bob.page.locator('#status', { hasText: `You were banned from ${room}` }).waitFor();
  await bob.page.locator('#room-title', { hasText: 'Pick a room' }).waitFor();
  await until(async () => (await bob.page.locator('#room-list button', { hasText: room }).count()) === 0, 15_000, 'room unlisted');
  await alice.page.locator('#banned li', { hasText: bob.username }).getByRole('button', { name: 'Lift ban', exact: true }).click();
  await alice.page.locator('#status', { hasText: 'Lifted the ban' }).waitFor();
  await bob.page.reload();
  await openRoom(bob.page, room);

  // alice makes a bot with a webhook: its token and secret are shown once; the token works until she revokes it
  await alice.page.locator('#bots summary').click();
  await alice.page.getByLabel('Bot name').fill('Deploy Bot');
  await alice.page.getByLabel('Webhook URL (optional)').fill('https://hooks.example.com/parley');
  await alice.page.getByRole('button', { name: 'Create bot', exact: true }).click();
  await alice.page.locator('#status', { hasText: 'Created bot @deploy-bot-bot-' }).waitFor();
  const botToken = await alice.page.getByLabel('Token', { exact: true }).inputValue();
  assert.match(await alice.page.getByLabel('Webhook secret').inputValue(), /^[0-9a-f]{64}$/);
  const botItem = alice.page.locator('#bot-list li', { hasText: 'Deploy Bot' });
  await botItem.getByText('https://hooks.example.com/parley').waitFor();
  const me = (token) => alice.page.evaluate(async (t) => (await fetch('/api/me', { headers: { authorization: `Bearer ${t}` } })).status, token);
  assert.equal(await me(botToken), 200);
  if (shots) await alice.page.screenshot({ path: `${shots}/bots.png` });
  await botItem.getByRole('button', { name: /^Revoke / }).click();
  await alice.page.locator('#status', { hasText: 'Revoked deploy-bot-bot-' }).waitFor();
  await until(async () => (await alice.page.locator('#bot-list li').count()) === 0, 15_000, 'bot unlisted');
  assert.equal(await me(botToken), 401);

  for (const who of [alice, bob]) {
    assert.deepEqual(who.errors.filter((e) => !/WebSocket|Failed to load resource/.test(e)), []);
    await who.context.close();
  }
});

test('the page refuses inline scripts (CSP) and signs in with a wrong password as an error', { timeout: 60_000 }, async () => {
  const context = await browser.newContext({ baseURL: base });
  const page = await context.newPage();
  const response = await page.goto('/');
  const csp = response.headers()['content-security-policy'];
  assert.match(csp, /script-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline/);
  await page.getByLabel('Username', { exact: true }).fill('nobody-here');
  await page.getByLabel('Password', { exact: true }).fill('wrong-password');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.locator('#signin-error', { hasText: /wrong username or password/ }).waitFor();
  if (shots) await page.screenshot({ path: `${shots}/signin.png` });
  await context.close();
});
