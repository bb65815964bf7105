;; A WASM source in WebAssembly text: counts 0, 1, 2, ... up to `limit` (plugin_config, default
;; 25), at most 10 records per poll, then reports finished. Resumable: the position is
;; {"next":N}, which rivven_seek reads back after a restart. See docs/wasm.md for the ABI.
;;
;; Each record: key {"n":N}, value {"n":N,"square":N*N}, header source=counter.
(module
  (import "rivven" "log" (func $log (param i32 i32 i32)))
  (import "rivven" "set_result" (func $set_result (param i32 i32)))

  ;; 0..4095 constants, 4096..32767 the poll result, 32768..65535 the host's input.
  (memory (export "memory") 1)
  (global $next (mut i64) (i64.const 0))
  (global $limit (mut i64) (i64.const 25))
  (global $pos (mut i32) (i32.const 0))

  (data (i32.const 0) "counter source ready")
  (data (i32.const 64) "{\"records\":[\00")
  (data (i32.const 96) "{\"key\":{\"n\":\00")
  (data (i32.const 128) "},\"value\":{\"n\":\00")
  (data (i32.const 160) ",\"square\":\00")
  (data (i32.const 192) "},\"headers\":{\"source\":\"counter\"}}\00")
  (data (i32.const 256) "],\"position\":{\"next\":\00")
  (data (i32.const 288) "},\"finished\":\00")
  (data (i32.const 320) "true}\00")
  (data (i32.const 336) "false}\00")

  (func $putc (param $c i32)
    (i32.store8 (global.get $pos) (local.get $c))
    (global.set $pos (i32.add (global.get $pos) (i32.const 1))))

  ;; Appends the NUL-terminated string at $p.
  (func $puts (param $p i32)
    (block $done
      (loop $char
        (br_if $done (i32.eqz (i32.load8_u (local.get $p))))
        (call $putc (i32.load8_u (local.get $p)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $char))))

  ;; Appends $n (>= 0) in decimal: digits backwards, then reversed in place.
  (func $put_int (param $n i64)
    (local $lo i32) (local $hi i32) (local $t i32)
    (local.set $lo (global.get $pos))
    (loop $digit
      (call $putc (i32.add (i32.const 48)
                           (i32.wrap_i64 (i64.rem_u (local.get $n) (i64.const 10)))))
      (local.set $n (i64.div_u (local.get $n) (i64.const 10)))
      (br_if $digit (i64.ne (local.get $n) (i64.const 0))))
    (local.set $hi (i32.sub (global.get $pos) (i32.const 1)))
    (block $done
      (loop $swap
        (br_if $done (i32.ge_u (local.get $lo) (local.get $hi)))
        (local.set $t (i32.load8_u (local.get $lo)))
        (i32.store8 (local.get $lo) (i32.load8_u (local.get $hi)))
        (i32.store8 (local.get $hi) (local.get $t))
        (local.set $lo (i32.add (local.get $lo) (i32.const 1)))
        (local.set $hi (i32.sub (local.get $hi) (i32.const 1)))
        (br $swap))))

  ;; The first run of digits in [$p, $p + $len) as a number, or -1 when there is none.
  (func $first_int (param $p i32) (param $len i32) (result i64)
    (local $end i32) (local $c i32) (local $n i64) (local $seen i32)
    (local.set $end (i32.add (local.get $p) (local.get $len)))
    (block $done
      (loop $scan
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $c (i32.load8_u (local.get $p)))
        (if (i32.and (i32.ge_u (local.get $c) (i32.const 48)) (i32.le_u (local.get $c) (i32.const 57)))
          (then
            (local.set $n (i64.add (i64.mul (local.get $n) (i64.const 10))
                                   (i64.extend_i32_u (i32.sub (local.get $c) (i32.const 48)))))
            (local.set $seen (i32.const 1)))
          (else (br_if $done (local.get $seen))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $scan)))
    (if (result i64) (local.get $seen) (then (local.get $n)) (else (i64.const -1))))

  ;; One input block at a time is enough: the host copies out results before the next call.
  (func (export "rivven_alloc") (param $len i32) (result i32)
    (if (result i32) (i32.le_u (local.get $len) (i32.const 32768))
      (then (i32.const 32768))
      (else (i32.const 0))))

  ;; plugin_config {"limit": N}: the first number in it is the limit.
  (func (export "rivven_init") (param $p i32) (param $len i32) (result i32)
    (local $n i64)
    (local.set $n (call $first_int (local.get $p) (local.get $len)))
    (if (i64.ge_s (local.get $n) (i64.const 0)) (then (global.set $limit (local.get $n))))
    (call $log (i32.const 1) (i32.const 0) (i32.const 20))
    (i32.const 0))

  ;; The checkpoint {"next":N}.
  (func (export "rivven_seek") (param $p i32) (param $len i32) (result i32)
    (local $n i64)
    (local.set $n (call $first_int (local.get $p) (local.get $len)))
    (if (i64.ge_s (local.get $n) (i64.const 0)) (then (global.set $next (local.get $n))))
    (i32.const 0))

  (func (export "rivven_poll") (param $max i32) (result i32)
    (local $count i64) (local $i i64) (local $n i64)
    (global.set $pos (i32.const 4096))
    (local.set $count (i64.sub (global.get $limit) (global.get $next)))
    (if (i64.gt_s (local.get $count) (i64.extend_i32_s (local.get $max)))
      (then (local.set $count (i64.extend_i32_s (local.get $max)))))
    (if (i64.gt_s (local.get $count) (i64.const 10)) (then (local.set $count (i64.const 10))))
    (if (i64.lt_s (local.get $count) (i64.const 0)) (then (local.set $count (i64.const 0))))
    (call $puts (i32.const 64))
    (block $done
      (loop $record
        (br_if $done (i64.ge_s (local.get $i) (local.get $count)))
        (if (i64.ne (local.get $i) (i64.const 0)) (then (call $putc (i32.const 44))))
        (local.set $n (i64.add (global.get $next) (local.get $i)))
        (call $puts (i32.const 96))
        (call $put_int (local.get $n))
        (call $puts (i32.const 128))
        (call $put_int (local.get $n))
        (call $puts (i32.const 160))
        (call $put_int (i64.mul (local.get $n) (local.get $n)))
        (call $puts (i32.const 192))
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (br $record)))
    (global.set $next (i64.add (global.get $next) (local.get $count)))
    (call $puts (i32.const 256))
    (call $put_int (global.get $next))
    (call $puts (i32.const 288))
    (if (i64.ge_s (global.get $next) (global.get $limit))
      (then (call $puts (i32.const 320)))
      (else (call $puts (i32.const 336))))
    (call $set_result (i32.const 4096) (i32.sub (global.get $pos) (i32.const 4096)))
    (i32.const 0)))
