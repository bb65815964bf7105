;; A guest that never returns from rivven_poll, rivven_write or rivven_transform: the host must
;; stop it at timeout_secs. rivven_init returns at once.
(module
  (memory (export "memory") 1)
  (func (export "rivven_alloc") (param i32) (result i32) (i32.const 1024))
  (func (export "rivven_init") (param i32 i32) (result i32) (i32.const 0))
  (func $spin (local $n i64)
    (loop $forever
      (local.set $n (i64.add (local.get $n) (i64.const 1)))
      (br $forever)))
  (func (export "rivven_poll") (param i32) (result i32) (call $spin) (i32.const 0))
  (func (export "rivven_write") (param i32 i32) (result i32) (call $spin) (i32.const 0))
  (func (export "rivven_transform") (param i32 i32) (result i32) (call $spin) (i32.const 0)))
