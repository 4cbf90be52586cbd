// "Sign in with Keycloak": the authorization-code flow with PKCE (S256) against the realm Parley
// trusts, run by oidc-client-ts (installed by npm in the Maven build, served from /vendor/, no CDN).
// Its tokens live in sessionStorage (the library's default): a tab that is closed forgets them, and
// a new tab signs in again through Keycloak's own session without asking for the password.
import { ParleyError, nearExpiry } from '/lib/parley-client.js';

const LIBRARY = '/vendor/oidc-client-ts/oidc-client-ts.min.js';

// A classic script (the library's browser build defines the global `oidc`), loaded only when the
// server names a realm; the CSP allows it because it comes from this origin.
function loadLibrary() {
  if (globalThis.oidc) return Promise.resolve(globalThis.oidc);
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = LIBRARY;
    script.onload = () => resolve(globalThis.oidc);
    script.onerror = () => reject(new ParleyError('unavailable', 'the sign-in library did not load'));
    document.head.append(script);
  });
}

/** A Keycloak sign-in; `token` is a token source for the client library and for REST calls. */
export class KeycloakAccount {
  #manager;
  #renewing = null;

  /** @param {{url: string, clientId: string}} realm from `GET /api/auth/options` */
  static async create(realm) {
    const oidc = await loadLibrary();
    const page = `${location.origin}/`;
    return new KeycloakAccount(new oidc.UserManager({
      authority: realm.url,
      client_id: realm.clientId,
      redirect_uri: page,
      post_logout_redirect_uri: page,
      response_type: 'code',
      scope: 'openid profile',
      // renewed on demand (below) when the connection asks, with the refresh token: no iframe,
      // which the page's CSP would refuse anyway
      automaticSilentRenew: false,
      monitorSession: false,
    }));
  }

  constructor(manager) {
    this.#manager = manager;
  }

  /** Whether this page load is Keycloak's redirect back with an authorization code. */
  static isCallback() {
    const query = new URLSearchParams(location.search);
    return query.has('state') && (query.has('code') || query.has('error'));
  }

  /** Leaves for Keycloak's login page; the page comes back with a code. */
  signIn() {
    return this.#manager.signinRedirect();
  }

  /** Trades the code (with the PKCE verifier kept in sessionStorage) for tokens, then cleans the URL. */
  async completeSignIn() {
    try {
      await this.#manager.signinRedirectCallback();
    } finally {
      history.replaceState(null, '', '/');
    }
  }

  /** Signs in from the tokens of this tab's earlier sign-in; false when there are none or they are spent. */
  async resume() {
    return (await this.#manager.getUser()) !== null && this.token().then(() => true, () => false);
  }

  /** A valid access token, renewed (once, however many ask at the same time) when near expiry. */
  token = async () => {
    let user = await this.#manager.getUser();
    if (!user) throw new ParleyError('unauthorized', 'not signed in');
    if (nearExpiry(user.access_token)) {
      this.#renewing ??= this.#manager.signinSilent().finally(() => { this.#renewing = null; });
      user = await this.#renewing;
      if (!user) throw new ParleyError('unauthorized', 'the Keycloak session has ended');
    }
    return user.access_token;
  };

  /** Ends the Keycloak session too; the page leaves for Keycloak and comes back signed out. */
  async logout() {
    await this.#manager.signoutRedirect();
  }
}
