// profile.js <base profile> <out> <address> <namespace> <server name> <ca> <client cert> <client key>:
// writes the cluster's FactoryProfile, the base profile with id `cluster` and its temporal block
// pointing at the cluster over mTLS (absolute paths). Used by scripts/cluster.sh.
'use strict';
const { readFileSync, writeFileSync } = require('node:fs');
const { Document, parse } = require('yaml');

const [base, out, address, namespace, serverName, ca, cert, key] = process.argv.slice(2);
const profile = parse(readFileSync(base, 'utf8'));
profile.id = 'cluster';
profile.environment.name = 'cluster';
profile.environment.temporal = {
  ...profile.environment.temporal,
  address,
  namespace,
  tls: { server_name: serverName, server_root_ca_cert: ca, client_cert: cert, client_key: key },
};
const doc = new Document(profile);
doc.commentBefore = ` Written by scripts/cluster.sh from ${base}: that profile, pointed at this cluster over mTLS.`;
writeFileSync(out, String(doc));
