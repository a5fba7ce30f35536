;; An infinite loop in the start function (needs --fuel or --timeout to stop).
(module (func $s (loop $l (br $l))) (start $s))
