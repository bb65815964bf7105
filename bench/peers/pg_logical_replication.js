// The node peer of bench/postgres_cdc.sh: pg-logical-replication's pgoutput client on an
// existing slot, with its default auto acknowledgement. Counts inserts and exits as soon as it
// has seen the expected number, printing `inserts=N elapsed_ms=T` (T from the subscribe call).
//
//   node pg_logical_replication.js HOST PORT USER DATABASE SLOT PUBLICATION EXPECTED_INSERTS
'use strict';
const { LogicalReplicationService, PgoutputPlugin } = require('pg-logical-replication');

const [host, port, user, database, slot, publication, expectedText] = process.argv.slice(2);
const expected = Number(expectedText);
if (!host || !slot || !publication || !(expected > 0)) {
  console.error('usage: pg_logical_replication.js HOST PORT USER DATABASE SLOT PUBLICATION EXPECTED_INSERTS');
  process.exit(2);
}

const service = new LogicalReplicationService(
  { host, port: Number(port), user, database },
  { acknowledge: { auto: true, timeoutSeconds: 10 } });
const plugin = new PgoutputPlugin({ protoVersion: 1, publicationNames: [publication] });

let inserts = 0;
const started = process.hrtime.bigint();
service.on('data', (lsn, message) => {
  if (message.tag !== 'insert') return;
  inserts += 1;
  if (inserts === expected) {
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    console.log(`inserts=${inserts} elapsed_ms=${elapsedMs.toFixed(1)}`);
    process.exit(0);
  }
});
service.on('error', (err) => {
  console.error(`pg-logical-replication: ${err && err.message ? err.message : err}`);
  process.exit(1);
});
service.subscribe(plugin, slot).catch((err) => {
  console.error(`pg-logical-replication: ${err && err.message ? err.message : err}`);
  process.exit(1);
});
