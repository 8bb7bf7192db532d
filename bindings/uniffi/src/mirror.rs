//! The conversions between the facade's plain types and the records of the
//! bindings, field by field: [`IntoFfi`] (facade → binding) and
//! [`ToFacade`] (binding → facade), with the `mirror!` macros that declare a
//! record and its conversion in one place.

use zeroize::Zeroizing;

/// A facade value as its binding form.
pub trait IntoFfi {
    /// The binding form.
    type Out;
    /// Converts.
    fn ffi(self) -> Self::Out;
}

/// A binding value as its facade form.
pub trait ToFacade {
    /// The facade form.
    type Out;
    /// Converts.
    fn facade(self) -> Self::Out;
}

macro_rules! same {
    ($($t:ty),*) => {$(
        impl IntoFfi for $t {
            type Out = $t;
            fn ffi(self) -> $t {
                self
            }
        }
        impl ToFacade for $t {
            type Out = $t;
            fn facade(self) -> $t {
                self
            }
        }
    )*};
}

same!(String, bool, u8, u32, u64, i64);

impl<T: IntoFfi> IntoFfi for Option<T> {
    type Out = Option<T::Out>;
    fn ffi(self) -> Self::Out {
        self.map(IntoFfi::ffi)
    }
}

impl<T: IntoFfi> IntoFfi for Vec<T> {
    type Out = Vec<T::Out>;
    fn ffi(self) -> Self::Out {
        self.into_iter().map(IntoFfi::ffi).collect()
    }
}

impl<T: ToFacade> ToFacade for Option<T> {
    type Out = Option<T::Out>;
    fn facade(self) -> Self::Out {
        self.map(ToFacade::facade)
    }
}

impl<T: ToFacade> ToFacade for Vec<T> {
    type Out = Vec<T::Out>;
    fn facade(self) -> Self::Out {
        self.into_iter().map(ToFacade::facade).collect()
    }
}

/// A token, password or key in text form: the facade's zeroized copy is
/// dropped (and wiped) here; the host receives a plain string.
impl IntoFfi for Zeroizing<String> {
    type Out = String;
    fn ffi(self) -> String {
        self.as_str().to_owned()
    }
}

/// Declares a record returned to the host, and its conversion from the
/// facade type with the same fields.
macro_rules! mirror_out {
    ($(#[$m:meta])* $name:ident from $src:path {
        $($(#[$fm:meta])* $field:ident : $ty:ty),* $(,)?
    }) => {
        $(#[$m])*
        #[derive(uniffi::Record)]
        pub struct $name {
            $($(#[$fm])* pub $field: $ty,)*
        }

        impl $crate::mirror::IntoFfi for $src {
            type Out = $name;
            fn ffi(self) -> $name {
                $name { $($field: self.$field.ffi(),)* }
            }
        }
    };
}

/// Declares a record the host passes in, and its conversion to the facade
/// type with the same fields.
macro_rules! mirror_in {
    ($(#[$m:meta])* $name:ident to $src:path {
        $($(#[$fm:meta])* $field:ident : $ty:ty),* $(,)?
    }) => {
        $(#[$m])*
        #[derive(uniffi::Record)]
        pub struct $name {
            $($(#[$fm])* pub $field: $ty,)*
        }

        impl $crate::mirror::ToFacade for $name {
            type Out = $src;
            fn facade(self) -> $src {
                $src { $($field: self.$field.facade(),)* }
            }
        }
    };
}

pub(crate) use {mirror_in, mirror_out};
