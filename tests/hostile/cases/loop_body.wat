;; An infinite loop in an exported function (needs --fuel or --timeout to stop).
(module (func (export "run") (loop $l (br $l))))
