#!/usr/bin/env node
// A strict Airbyte source with no dependencies, for the protocol tests: it emits every message
// type the reader must handle (RECORD for two streams, STATE per-stream/global/legacy, LOG,
// TRACE, CONTROL, a type nobody knows, unknown fields, a line that is not JSON), and fails on
// request. Config: {count, mode: "ok" | "trace" | "transient" | "exit", fail_check}.
'use strict';
const fs = require('fs');

const args = process.argv.slice(2);
const command = args[0];
function flag(name) {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}
function emit(message) {
  process.stdout.write(JSON.stringify(message) + '\n');
}
function readJson(path) {
  return JSON.parse(fs.readFileSync(path, 'utf8'));
}

// Where the files were and their permissions, for the tests to check (and to check they are
// gone afterwards).
if (process.env.STRICT_PROBE) {
  const files = ['--config', '--catalog', '--state'].filter((f) => flag(f)).map((f) => {
    const st = fs.statSync(flag(f));
    return {flag: f, path: flag(f), mode: (st.mode & 0o777).toString(8)};
  });
  fs.appendFileSync(process.env.STRICT_PROBE, JSON.stringify({command, files}) + '\n');
}

const usersSchema = {type: 'object', properties: {id: {type: 'integer'}, name: {type: 'string'}}};
const eventsSchema = {type: 'object', properties: {n: {type: 'integer'}}};

if (command === 'spec') {
  emit({type: 'SPEC', spec: {documentationUrl: 'https://example.invalid', connectionSpecification:
      {type: 'object', required: ['count'], properties: {count: {type: 'integer'}}}}});
} else if (command === 'check') {
  const config = readJson(flag('--config'));
  emit({type: 'CONNECTION_STATUS', connectionStatus: config.fail_check
      ? {status: 'FAILED', message: 'count must be positive'} : {status: 'SUCCEEDED'}});
} else if (command === 'discover') {
  readJson(flag('--config'));
  emit({type: 'LOG', log: {level: 'INFO', message: 'discovering'}});
  emit({type: 'CATALOG', future_field: 1, catalog: {streams: [
    {name: 'users', json_schema: usersSchema, supported_sync_modes: ['full_refresh', 'incremental'],
     source_defined_cursor: true, default_cursor_field: ['id'], source_defined_primary_key: [['id']],
     is_resumable: true},
    {name: 'events', json_schema: eventsSchema, supported_sync_modes: ['full_refresh']},
  ]}});
} else if (command === 'read') {
  const config = readJson(flag('--config'));
  const catalog = readJson(flag('--catalog'));
  const state = flag('--state') ? readJson(flag('--state')) : undefined;
  const wanted = new Set(catalog.streams.map((s) => s.stream.name));
  let from = 0;
  if (Array.isArray(state)) {
    for (const s of state) {
      if (s.type === 'STREAM' && s.stream.stream_descriptor.name === 'users') from = s.stream.stream_state.cursor;
    }
  }
  const count = config.count || 3;
  const now = Date.now();
  process.stderr.write(`strict source: reading from ${from}\n`);
  emit({type: 'LOG', log: {level: 'INFO', message: `reading users after ${from}`}});
  process.stdout.write('this line is not JSON\n');
  emit({type: 'CONTROL', control: {type: 'CONNECTOR_CONFIG', emitted_at: now, connectorConfig: {config: {}}}});
  emit({type: 'NOT_A_TYPE_YET', whatever: {a: 1}});
  if (wanted.has('users')) {
    for (let i = from + 1; i <= from + count; i++) {
      emit({type: 'RECORD', unknown_top: true, record: {stream: 'users', emitted_at: 1700000000000 + i,
        data: {id: i, name: `user ${i}`}, meta: {x: 1}}});
    }
  }
  if (wanted.has('events')) emit({type: 'RECORD', record: {stream: 'events', emitted_at: now, data: {n: 1}}});
  if (config.mode === 'trace' || config.mode === 'transient') {
    emit({type: 'TRACE', trace: {type: 'ERROR', emitted_at: now, error: {message: 'the API refused the token',
      internal_message: 'HTTP 401', failure_type: config.mode === 'trace' ? 'config_error' : 'transient_error'}}});
    process.exit(1);
  }
  if (config.mode === 'exit') {
    process.stderr.write('fatal: something broke\n');
    process.exit(3);
  }
  emit({type: 'STATE', state: {type: 'STREAM', stream: {stream_descriptor: {name: 'users'},
    stream_state: {cursor: from + count}}, sourceStats: {recordCount: count}}});
  emit({type: 'TRACE', trace: {type: 'STREAM_STATUS', emitted_at: now,
    stream_status: {stream_descriptor: {name: 'users'}, status: 'COMPLETE'}}});
  emit({type: 'STATE', state: {type: 'GLOBAL', global: {shared_state: {snapshot: 1}, stream_states: []}}});
  emit({type: 'STATE', state: {data: {legacy_cursor: from + count}}});
  if (wanted.has('events')) emit({type: 'RECORD', record: {stream: 'events', emitted_at: now, data: {n: 2}}});
  emit({type: 'LOG', log: {level: 'WARN', message: 'strict source done'}});
} else {
  process.stderr.write(`unknown command ${command}\n`);
  process.exit(2);
}
