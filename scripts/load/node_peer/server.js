// The peer of scripts/load.sh: @node-oauth/oauth2-server 5 on express, the client
// credentials grant (RFC 6749 4.4) with an in-memory model and the secret check the
// example token server does for a generated secret: the SHA-256 of the presented
// secret compared in constant time with the stored one. Tokens are kept in a Map.
//
// usage: node server.js PORT CLIENT_ID CLIENT_SECRET   (127.0.0.1 only)
'use strict';

const crypto = require('node:crypto');
const express = require('express');
const OAuth2Server = require('@node-oauth/oauth2-server');

const [port, clientId, clientSecret] = process.argv.slice(2);
const digest = (text) => crypto.createHash('sha256').update(text, 'utf8').digest();
const storedSecret = digest(clientSecret);
const tokens = new Map();

const model = {
  async getClient(id, secret) {
    if (id !== clientId || secret === null) return null;
    if (!crypto.timingSafeEqual(digest(secret), storedSecret)) return null;
    return { id, grants: ['client_credentials'], accessTokenLifetime: 604800 };
  },
  async getUserFromClient(client) {
    return { client: client.id };  // the client acts for itself (RFC 6749 4.4)
  },
  async saveToken(token, client, user) {
    const saved = { ...token, client, user };
    tokens.set(token.accessToken, saved);
    return saved;
  },
  async validateScope() {
    return [];  // no scope, as the token server's client_credentials run asks for none
  },
};

const oauth = new OAuth2Server({ model, allowEmptyState: true });
const app = express();
app.disable('x-powered-by');
app.use(express.urlencoded({ extended: false, limit: '16kb' }));
app.post('/oauth/token', async (req, res) => {
  const request = new OAuth2Server.Request(req);
  const response = new OAuth2Server.Response(res);
  try {
    await oauth.token(request, response);
  } catch (e) {
    response.status = e.code || 500;
    response.body = { error: e.name || 'server_error' };
  }
  res.set(response.headers).status(response.status).json(response.body);
});
app.listen(Number(port), '127.0.0.1', () => console.error(`node_peer: listening on http://127.0.0.1:${port}`));
