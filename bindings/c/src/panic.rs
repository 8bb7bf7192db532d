//! The panic boundary: every exported function runs its body inside
//! [`ffi_panic_boundary!`], so a panic never unwinds into C. A caught panic
//! becomes `CREDCYCLE_RESULT_PANIC`, or the function's documented default
//! for functions that return something else.

/// Runs the body, returning `CREDCYCLE_RESULT_PANIC` (or the given default)
/// if it panics.
macro_rules! ffi_panic_boundary {
    (default: $default:expr; $($body:tt)*) => {
        match ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(|| { $($body)* })) {
            Ok(v) => v,
            Err(_) => $default,
        }
    };
    ($($body:tt)*) => {
        match ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(
            || -> $crate::error::credcycle_result { $($body)* },
        )) {
            Ok(v) => v,
            Err(_) => $crate::error::CREDCYCLE_RESULT_PANIC,
        }
    };
}

pub(crate) use ffi_panic_boundary;
