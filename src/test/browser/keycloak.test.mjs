// "Sign in with Keycloak" in a real headless Chromium against the real Keycloak of the tests: the
// authorization-code flow with PKCE through the realm's parley-web client, as shipped plus this
// server's page as its redirect URI. Run by dev.parley.client.WebAppIT, which starts Keycloak and
// passes its realm in PARLEY_TEST_KEYCLOAK.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { chromium } from 'playwright-core';

import { base, startServer, stopServer, until } from '../js/server.mjs';

const realm = process.env.PARLEY_TEST_KEYCLOAK;
const shots = process.env.PARLEY_TEST_SCREENSHOTS;
let browser;

before(async () => {
  await startServer('webapp-keycloak-test-server');
  browser = await chromium.launch({
    executablePath: process.env.PARLEY_TEST_CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
});

after(async () => {
  await browser?.close();
  await stopServer();
});

async function page() {
  const context = await browser.newContext({ baseURL: base, viewport: { width: 1200, height: 800 } });
  const tab = await context.newPage();
  tab.errors = [];
  tab.on('pageerror', (e) => tab.errors.push(e.message));
  tab.on('console', (m) => { if (m.type() === 'error') tab.errors.push(m.text()); });
  const codeRequests = [];
  tab.on('request', (r) => { if (r.url().startsWith(`${realm}/protocol/openid-connect/auth`)) codeRequests.push(new URL(r.url())); });
  tab.codeRequests = codeRequests;
  return { context, tab };
}

// Through Keycloak's login page and back; returns once the app shows the user.
async function signInWithKeycloak(tab, username, password, name) {
  await tab.goto('/');
  await tab.getByRole('button', { name: 'Sign in with Keycloak', exact: true }).click();
  await tab.waitForURL((url) => url.href.startsWith(realm));
  await tab.locator('#username').fill(username);
  await tab.locator('#password').fill(password);
  await tab.locator('#kc-login').click();
  await tab.locator('#me', { hasText: name }).waitFor();
  assert.equal(new URL(tab.url()).search, '', 'the code and state are gone from the address');
}

test('Keycloak users sign in with the code flow and PKCE, chat both ways, stay in on reload and sign out', { timeout: 180_000 }, async () => {
  const alice = await page();
  const signin = await alice.tab.goto('/');
  assert.match(signin.headers()['content-security-policy'], new RegExp(`connect-src 'self' ${realm}/;`));
  await alice.tab.getByRole('button', { name: 'Sign in with Keycloak', exact: true }).waitFor();
  if (shots) await alice.tab.screenshot({ path: `${shots}/signin-keycloak.png` });

  await signInWithKeycloak(alice.tab, 'alice', 'alice-password-1', 'Alice Liddell');
  const [request] = alice.tab.codeRequests;
  assert.equal(request.searchParams.get('client_id'), 'parley-web');
  assert.equal(request.searchParams.get('response_type'), 'code');
  assert.equal(request.searchParams.get('code_challenge_method'), 'S256');
  assert.ok(request.searchParams.get('code_challenge'));
  assert.equal(request.searchParams.get('redirect_uri'), `${base}/`);

  const bob = await page();
  await signInWithKeycloak(bob.tab, 'bob', 'bob-password-1', 'Bob Builder');

  const room = `kc-${Date.now()}`;
  await alice.tab.getByLabel('New room', { exact: true }).fill(room);
  await alice.tab.getByRole('button', { name: 'Create', exact: true }).click();
  await alice.tab.locator('#room-title', { hasText: room }).waitFor();
  await alice.tab.getByLabel('Invite username', { exact: true }).fill('bob');
  await alice.tab.getByRole('button', { name: 'Invite', exact: true }).click();
  await alice.tab.locator('#status', { hasText: 'Invited' }).waitFor();

  await alice.tab.getByLabel('Message', { exact: true }).fill('hello from keycloak');
  await alice.tab.getByLabel('Message', { exact: true }).press('Enter');
  // acknowledged as hers (the client knows her Parley id, not Keycloak's subject): not left pending
  await alice.tab.locator('#messages li.message.own:not(.pending)', { hasText: 'hello from keycloak' }).waitFor();
  await until(async () => (await alice.tab.locator('#messages li.pending').count()) === 0, 10_000, 'no pending send');

  await bob.tab.reload();
  await bob.tab.locator('#me', { hasText: 'Bob Builder' }).waitFor(); // still signed in: no second login
  await until(async () => (await bob.tab.locator('#room-list button', { hasText: room }).count()) > 0, 15_000, 'room listed');
  await bob.tab.locator('#room-list button', { hasText: room }).click();
  await bob.tab.locator('#messages .text', { hasText: 'hello from keycloak' }).waitFor();
  await bob.tab.getByLabel('Message', { exact: true }).fill('hi alice');
  await bob.tab.getByLabel('Message', { exact: true }).press('Enter');
  await alice.tab.locator('#messages .text', { hasText: 'hi alice' }).waitFor();
  assert.equal(await alice.tab.locator('#messages .text', { hasText: 'hi alice' }).count(), 1);
  assert.equal(bob.tab.codeRequests.length, 1, 'the reload did not go back to Keycloak');

  // signing out ends the Keycloak session: the next sign-in asks for the password again
  await alice.tab.getByRole('button', { name: 'Sign out', exact: true }).click();
  await alice.tab.getByRole('button', { name: 'Sign in with Keycloak', exact: true }).waitFor();
  await alice.tab.locator('#chat').waitFor({ state: 'hidden' });
  await alice.tab.getByRole('button', { name: 'Sign in with Keycloak', exact: true }).click();
  await alice.tab.waitForURL((url) => url.href.startsWith(realm));
  await alice.tab.locator('#password').waitFor();

  for (const who of [alice, bob]) {
    assert.deepEqual(who.tab.errors.filter((e) => !/WebSocket|Failed to load resource/.test(e)), []);
    await who.context.close();
  }
});

test('a Keycloak error on the way back is shown, and the built-in sign-in still works beside it', { timeout: 60_000 }, async () => {
  const { context, tab } = await page();
  // what Keycloak sends back when the user cancels: an error instead of a code, for a state this tab never made
  await tab.goto('/?error=access_denied&state=not-ours');
  await tab.locator('#signin-error').filter({ hasText: /\S/ }).waitFor();
  assert.equal(new URL(tab.url()).search, '');
  const username = `local-${Math.random().toString(36).slice(2, 9)}`;
  await tab.getByLabel('Username', { exact: true }).fill(username);
  await tab.getByLabel('Password', { exact: true }).fill('password-123');
  await tab.getByRole('button', { name: 'Create account', exact: true }).click();
  await tab.locator('#me').getByText(username).waitFor();
  await context.close();
});
