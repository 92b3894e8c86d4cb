#[evict::cache]
fn half(x: f64) -> f64 {
    x / 2.0
}

#[evict::cache(errors = false)]
fn double(n: u64) -> u64 {
    n * 2
}

fn main() {
    let _ = (half(1.0), double(2));
}
