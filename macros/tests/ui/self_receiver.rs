struct Rect {
    w: u32,
    h: u32,
}

impl Rect {
    #[evict::cache]
    fn area(&self) -> u32 {
        self.w * self.h
    }
}

fn main() {}
