#[evict::cache]
fn length(text: impl AsRef<str>) -> usize {
    text.as_ref().len()
}

#[evict::cache]
fn digits(n: u64) -> impl Iterator<Item = u32> {
    n.to_string().chars().map(|c| c.to_digit(10).unwrap()).collect::<Vec<_>>().into_iter()
}

fn main() {}
