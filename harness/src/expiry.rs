//! The reference model of expiring caches and its conformance kit (issue 13; in progress).
