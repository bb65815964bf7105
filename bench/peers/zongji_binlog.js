// The node peer of bench/mysql_cdc.sh: zongji reading the binlog from a given file/position,
// decoding row events into JS objects. Counts the rows of write/update/delete events and exits
// as soon as it has seen the expected number, printing `rows=N elapsed_ms=T` (T from start).
//
//   node zongji_binlog.js HOST PORT USER PASSWORD SERVER_ID FILE POSITION EXPECTED_ROWS
'use strict';
const ZongJi = require('zongji');

const [host, port, user, password, serverId, file, position, expectedText] = process.argv.slice(2);
const expected = Number(expectedText);
if (!host || !file || !(expected > 0)) {
  console.error('usage: zongji_binlog.js HOST PORT USER PASSWORD SERVER_ID FILE POSITION EXPECTED_ROWS');
  process.exit(2);
}

const zongji = new ZongJi({ host, port: Number(port), user, password });
let rows = 0;
const started = process.hrtime.bigint();
zongji.on('binlog', (event) => {
  if (!event.rows) return;
  rows += event.rows.length;
  if (rows >= expected) {
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    console.log(`rows=${rows} elapsed_ms=${elapsedMs.toFixed(1)}`);
    process.exit(0);
  }
});
zongji.on('error', (err) => {
  console.error(`zongji: ${err && err.message ? err.message : err}`);
  process.exit(1);
});
zongji.start({
  serverId: Number(serverId),
  filename: file,
  position: Number(position),
  includeEvents: ['tablemap', 'writerows', 'updaterows', 'deleterows'],
});
