//! Entry points for the fuzz targets (feature `fuzzing`; not a stable API).

pub mod fuzzing;
