//! Every input the attributes reject, with the compiler's message checked against the
//! `.stderr` file next to it (regenerate with `TRYBUILD=overwrite cargo test -p evict-macros
//! --test ui` after an intended change, and review the diff).

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
