//! The peer of `factgraph load` in benchmarks: Oxigraph's own bulk loader on ready-made
//! N-Triples, with the loader settings `factgraph load` uses (2 threads, 256 MB).
//!
//! ```text
//! cargo run --release --example oxigraph_bulk_load -- FILE.nt STORE_DIR [MAX_MEMORY_MB]
//! ```
//!
//! STORE_DIR must not exist yet (or be empty). MAX_MEMORY_MB (default 256, as `factgraph load`)
//! is the loader's memory target, to see how the batch size it implies changes the speed. Prints the number of quads in the store and the
//! time spent parsing and loading (stdout: `quads <n>`, `seconds <s>`), so that a benchmark can
//! set this beside `factgraph load`, which maps CSV and loads the quads without any parsing.

use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use oxigraph::io::RdfFormat;
use oxigraph::store::Store;

fn run(
    input: PathBuf,
    store_dir: PathBuf,
    max_memory_mb: usize,
) -> Result<(), Box<dyn std::error::Error>> {
    if store_dir.read_dir().is_ok_and(|mut d| d.next().is_some()) {
        return Err(format!(
            "{} exists and is not empty; expected a new directory",
            store_dir.display()
        )
        .into());
    }
    let start = Instant::now();
    let file = File::open(&input).map_err(|e| format!("cannot open {}: {e}", input.display()))?;
    let store = Store::open(&store_dir)?;
    let mut loader = store
        .bulk_loader()
        .with_num_threads(2)
        .with_max_memory_size_in_megabytes(max_memory_mb);
    // With 2 threads, `parallel_load_from_file` would parse on one thread anyway.
    loader.load_from_reader(RdfFormat::NTriples, BufReader::with_capacity(1 << 16, file))?;
    loader.commit()?;
    store.flush()?;
    let loaded = start.elapsed().as_secs_f64();
    let quads = store.len()?;
    println!("quads {quads}");
    println!("seconds {loaded:.3}");
    eprintln!(
        "oxigraph_bulk_load: {quads} quads from {} into {} in {loaded:.2} s (+{:.2} s to count), {max_memory_mb} MB target",
        input.display(),
        store_dir.display(),
        start.elapsed().as_secs_f64() - loaded
    );
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (input, store_dir, memory) = match args.as_slice() {
        [i, s] => (i, s, None),
        [i, s, m] => (i, s, Some(m)),
        _ => {
            eprintln!("usage: oxigraph_bulk_load FILE.nt STORE_DIR [MAX_MEMORY_MB]");
            return ExitCode::from(1);
        }
    };
    let max_memory_mb = match memory.map(|m| m.parse::<usize>()) {
        None => 256,
        Some(Ok(m)) if m > 0 => m,
        Some(_) => {
            eprintln!("oxigraph_bulk_load: MAX_MEMORY_MB must be a positive number");
            return ExitCode::from(1);
        }
    };
    match run(input.into(), store_dir.into(), max_memory_mb) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("oxigraph_bulk_load: {e}");
            ExitCode::from(1)
        }
    }
}
