# The exception tags clang's Wasm EH code refers to, defined once for the test programs. A full
# toolchain gets them from its runtime libraries (wasi-libc's libsetjmp defines __c_longjmp,
# libunwind __cpp_exception); Debian's wasi-libc and wasm32 libc++abi have neither. Both tags
# carry one i32: a pointer to the longjmp arguments, or to the C++ _Unwind_Exception.
	.globl	__c_longjmp
	.tagtype	__c_longjmp i32
__c_longjmp:

	.globl	__cpp_exception
	.tagtype	__cpp_exception i32
__cpp_exception:
