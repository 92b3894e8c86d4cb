use std::borrow::Cow;

#[evict::cache]
fn bump(counter: &mut u64) -> u64 {
    *counter += 1;
    *counter
}

#[evict::cache]
fn largest<T: Ord + Clone>(items: Vec<T>) -> Option<T> {
    items.into_iter().max()
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
