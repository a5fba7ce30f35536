;; Constant expressions decode their own LEBs (src/engine/const_expr.cc). A 9-byte signed LEB
;; (shift 63 after it) negated INT64_MIN to sign-extend, undefined behaviour that UBSan reported
;; in fuzz_gc on a binaryen-generated global; -2^62 is the value whose minimal encoding has 9
;; bytes and the sign bit set. The wat encoder writes minimal LEBs; the binary module pins it.
(module
  (global (export "g") i64 (i64.const -4611686018427387904))
  (global (export "h") i64 (i64.const -4611686018427387905))
  (func (export "get-g") (result i64) (global.get 0))
  (func (export "get-h") (result i64) (global.get 1)))
(assert_return (invoke "get-g") (i64.const -4611686018427387904))
(assert_return (invoke "get-h") (i64.const -4611686018427387905))
(module binary
  "\00asm\01\00\00\00"
  "\01\05\01\60\00\01\7e"                                      ;; type 0: [] -> [i64]
  "\03\02\01\00"                                               ;; func 0: type 0
  "\06\0e\01\7e\00\42\80\80\80\80\80\80\80\80\40\0b"           ;; global i64 (i64.const -2^62)
  "\07\05\01\01\66\00\00"                                      ;; export "f" func 0
  "\0a\06\01\04\00\23\00\0b")                                  ;; body: global.get 0
(assert_return (invoke "f") (i64.const -4611686018427387904))
;; expect: const-expr-leb.wast: 3 passed, 0 failed, 0 skipped
