use std::borrow::Cow;

#[evict::cache]
fn bump(counter: &mut u64) -> u64 {
    *counter += 1;
    *counter
}

#[evict::cache]
fn make<T: Default + Clone + Send + 'static>() -> T {
    T::default()
}

#[evict::cache]
fn zeros<const N: usize>() -> [u8; N] {
    [0; N]
}

#[evict::cache]
fn shout<'a>(text: Cow<'a, str>) -> String {
    text.to_uppercase()
}

#[evict::cache]
fn borrowed(text: &str) -> &str {
    text
}

#[evict::cache]
async fn fetch(id: u64) -> u64 {
    id
}

fn main() {}
