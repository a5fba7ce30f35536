;; Imports and a resource with a constructor, a method and a static function, for the WIT
;; that `hull inspect` prints; `hull run` cannot link its imports.
(component
  (import "log" (func $log (param "msg" string)))
  (import "local:demo/host" (instance $host
    (type $entry' (record (field "key" string) (field "value" (list u8))))
    (export "entry" (type $entry (eq $entry')))
    (export "lookup" (func (param "key" string) (result (option $entry))))
    (export "now" (func (result u64)))))
  (type $counter (resource (rep i32)))
  (core func $new (canon resource.new $counter))
  (core func $rep (canon resource.rep $counter))
  (core module $M
    (import "r" "new" (func $new (param i32) (result i32)))
    (import "r" "rep" (func $rep (param i32) (result i32)))
    (func (export "ctor") (param i32) (result i32) (call $new (local.get 0)))
    (func (export "get") (param i32) (result i32) (call $rep (local.get 0)))
    (func (export "zero") (result i32) (call $new (i32.const 0))))
  (core instance $m (instantiate $M
    (with "r" (instance (export "new" (func $new)) (export "rep" (func $rep))))))
  (export $c "counter" (type $counter))
  (func (export "[constructor]counter") (param "start" u32) (result (own $c))
    (canon lift (core func $m "ctor")))
  (func (export "[method]counter.get") (param "self" (borrow $c)) (result u32)
    (canon lift (core func $m "get")))
  (func (export "[static]counter.zero") (result (own $c))
    (canon lift (core func $m "zero"))))
