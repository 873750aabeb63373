'use strict';
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const https = require('node:https');
const { ensureMesh } = require('../testing');

function getJson(url, { ca, token }) {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca, headers: { Authorization: `Bearer ${token}` } }, res => {
        let body = '';
        res.on('data', d => (body += d));
        res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(body)) : reject(new Error(`${res.statusCode} ${body}`))));
      })
      .on('error', reject);
  });
}

test('apiserver /version is v1.36.3 and the portal token + CA file work', async () => {
  const mesh = await ensureMesh();
  const v = await getJson(`${mesh.server}/version`, { ca: fs.readFileSync(mesh.caFile), token: mesh.token });
  assert.strictEqual(v.gitVersion, 'v1.36.3');
  assert.strictEqual(v.major, '1');
  assert.strictEqual(v.minor, '36');
  const nodes = await getJson(`${mesh.server}/api/v1/nodes`, { ca: fs.readFileSync(mesh.caFile), token: mesh.token });
  assert.ok(nodes.items.length >= 2, 'two kwok nodes');
  for (const n of nodes.items) assert.strictEqual(n.status.nodeInfo.kubeletVersion, 'v1.36.3');
});
