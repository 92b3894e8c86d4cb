struct Report {
    total: u64,
}

#[evict::cache]
fn report(n: u64) -> Report {
    Report { total: n }
}

fn main() {
    let _ = report(1).total;
}
