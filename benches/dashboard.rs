//! Dashboard costs over a million rows: preparing a sorted view (off the
//! input path) and drawing one 200×50 frame.
//!
//! `cargo bench --bench dashboard`

use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

use bedboard::demo::generator as demo;
use bedboard::model::{time, HospitalCode, Report};
use bedboard::text::width::AmbiguousWidth;
use bedboard::ui::app::{self, App, DisplayOptions, Toggles, ViewKind};
use bedboard::ui::draw;
use bedboard::ui::theme::ThemeKind;
use bedboard::view::{SortDirection, SortKey, ViewSpec};

const ROWS: usize = 1_000_000;

fn million_rows() -> Report {
    let base = time::parse_datetime(demo::ASSET_BASE_TIME).expect("valid time");
    let demo = demo::demo_report(&base);
    let rows = (0..ROWS)
        .map(|i| {
            let mut row = demo.rows[i % demo.rows.len()].clone();
            row.hospital_code =
                HospitalCode::parse(&format!("{}{:07}", &row.hospital_code.as_str()[..3], i))
                    .expect("10 digits");
            row.ready = row.ready.map(|r| r + (i % 7) as u32);
            row
        })
        .collect();
    Report {
        extra_columns: Vec::new(),
        rows,
    }
}

fn dashboard(c: &mut Criterion) {
    let report = Arc::new(million_rows());
    let base = time::parse_datetime(demo::ASSET_BASE_TIME).expect("valid time");
    let mut spec = ViewSpec::new(base);
    spec.sort = Some(SortKey {
        column: bedboard::model::Column::Free,
        direction: SortDirection::Descending,
    });

    let mut group = c.benchmark_group("dashboard_1m");
    group.sample_size(10);
    // Per-report figures (widest name, flags) are made once and shared by every view.
    let stats = app::SharedStats::default();
    let amb = AmbiguousWidth::Narrow;
    app::prepare(
        &report,
        &stats,
        &spec,
        Toggles::default(),
        ViewKind::Rows,
        amb,
    );
    group.bench_function("prepare_sorted_by_free", |b| {
        b.iter_with_large_drop(|| {
            app::prepare(
                &report,
                &stats,
                &spec,
                Toggles::default(),
                ViewKind::Rows,
                amb,
            )
        })
    });

    let options = DisplayOptions {
        ambiguous: AmbiguousWidth::Narrow,
        ascii: false,
        theme: ThemeKind::Default,
    };
    let report = Arc::try_unwrap(report).unwrap_or_else(|shared| (*shared).clone());
    let mut app = App::new(report, "bench".into(), false, options, spec);
    app.wait_for_view();
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).expect("test backend");
    group.bench_function("frame_200x50", |b| {
        b.iter(|| {
            app.dirty = true;
            terminal
                .draw(|frame| draw::draw(frame, &mut app))
                .expect("draws");
        })
    });
    group.finish();
}

criterion_group!(benches, dashboard);
criterion_main!(benches);
