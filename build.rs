//! Rebuilds the crate when a migration is added: `embed_migrations!` reads
//! the migration folders at compile time, and cargo does not notice a new
//! folder on its own (diesel_migrations' documented advice).

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
