//! `store_conformance!`: the Store contract, run against every Store.
