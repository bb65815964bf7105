;; A guest that grows its memory a page at a time until memory.grow fails (returns -1, at the
;; host's memory_limit_mb), then traps, as a C guest does when malloc returns NULL.
(module
  (memory (export "memory") 1)
  (func (export "rivven_alloc") (param i32) (result i32) (i32.const 1024))
  (func (export "rivven_init") (param i32 i32) (result i32) (i32.const 0))
  (func $hog
    (loop $more
      (br_if $more (i32.ne (memory.grow (i32.const 1)) (i32.const -1))))
    unreachable)
  (func (export "rivven_poll") (param i32) (result i32) (call $hog) (i32.const 0))
  (func (export "rivven_write") (param i32 i32) (result i32) (call $hog) (i32.const 0))
  (func (export "rivven_transform") (param i32 i32) (result i32) (call $hog) (i32.const 0)))
