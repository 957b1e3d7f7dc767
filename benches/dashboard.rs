//! Dashboard costs over a million rows: preparing a sorted view (off the
//! input path), re-sorting by each column, measuring the report (display
//! widths and flags), and drawing one 200×50 frame. `print` has its own bench
//! (`benches/print.rs`).
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
use bedboard::ui::view_model::ReportStats;
use bedboard::view::{SortDirection, SortKey, View, ViewSpec};

const ROWS: usize = 1_000_000;

/// The rows view of `report` as the dashboard prepares it, ambiguous characters narrow.
fn rows_view(report: &Arc<Report>, stats: &app::SharedStats, spec: &ViewSpec) -> app::Prepared {
    app::prepare(
        report,
        stats,
        spec,
        Toggles::default(),
        ViewKind::Rows,
        AmbiguousWidth::Narrow,
    )
}

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
    rows_view(&report, &stats, &spec);
    group.bench_function("prepare_sorted_by_free", |b| {
        b.iter_with_large_drop(|| rows_view(&report, &stats, &spec))
    });

    group.bench_function("report_stats_widths", |b| {
        b.iter_with_large_drop(|| ReportStats::of(&report, amb))
    });
    group.bench_function("sort_by_ready_from_file_order", |b| {
        let mut by_ready = spec.clone();
        by_ready.sort = Some(SortKey {
            column: bedboard::model::Column::Ready,
            direction: SortDirection::Ascending,
        });
        b.iter_with_large_drop(|| rows_view(&report, &stats, &by_ready))
    });
    let mut by_name = spec.clone();
    by_name.sort = Some(SortKey {
        column: bedboard::model::Column::HospitalName,
        direction: SortDirection::Ascending,
    });
    // The first sort on 医療機関名 ranks the distinct names; later ones reuse them.
    group.bench_function("sort_by_name_first", |b| {
        b.iter_batched(
            || {
                let mut fresh = stats.get().expect("made above").clone();
                fresh.text_ranks = Default::default();
                app::SharedStats::made(fresh)
            },
            |fresh| rows_view(&report, &fresh, &by_name),
            criterion::BatchSize::LargeInput,
        )
    });
    rows_view(&report, &stats, &by_name);
    group.bench_function("sort_by_name_ranked", |b| {
        b.iter_with_large_drop(|| rows_view(&report, &stats, &by_name))
    });
    let latest = &stats.get().expect("made above").latest;
    group.bench_function("sort_by_name_unranked", |b| {
        b.iter_with_large_drop(|| View::build_from(&report, &by_name, latest))
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

/// A key pressed on a million rows whose report is measured already: the
/// view re-sorted by each numeric column (largest first, as `s` chooses),
/// and by 空床 within 二次医療圏 groups. `cargo bench --bench dashboard -- resort_1m`
fn resort(c: &mut Criterion) {
    use bedboard::model::Column;
    let report = Arc::new(million_rows());
    let base = time::parse_datetime(demo::ASSET_BASE_TIME).expect("valid time");
    let stats = app::SharedStats::default();
    let by = |column: Column, group| {
        let mut spec = ViewSpec::new(base);
        spec.sort = Some(SortKey {
            column,
            direction: SortDirection::Descending,
        });
        spec.group = group;
        spec
    };
    let first = by(Column::HospitalName, bedboard::view::Grouping::None);
    rows_view(&report, &stats, &first);
    let mut group = c.benchmark_group("resort_1m");
    group.sample_size(10);
    let cases = [
        (Column::Secured, bedboard::view::Grouping::None),
        (Column::Ready, bedboard::view::Grouping::None),
        (Column::Inpatients, bedboard::view::Grouping::None),
        (Column::Free, bedboard::view::Grouping::None),
        (Column::Occupancy, bedboard::view::Grouping::None),
        (Column::Age, bedboard::view::Grouping::None),
        (Column::Free, bedboard::view::Grouping::Area),
    ];
    for (column, grouping) in cases {
        let spec = by(column, grouping);
        let name = format!("{}_{}", column.name(), grouping.label());
        group.bench_function(name, |b| {
            b.iter_with_large_drop(|| rows_view(&report, &stats, &spec))
        });
    }
    group.finish();
}

/// The 搬送先候補 map of 2,000 places and 500 hospitals on a 200×50 screen.
fn map_frame(c: &mut Criterion) {
    let model = map_bench::model(2_000, 500);
    let theme = bedboard::ui::theme::Theme::new(ThemeKind::Default);
    let area = ratatui::layout::Rect::new(0, 0, 198, 44);
    let mut buf = ratatui::buffer::Buffer::empty(area);
    c.bench_function("map_2000_places_500_hospitals_198x44", |b| {
        b.iter(|| {
            let mut painter = bedboard::ui::painter::Painter {
                buf: &mut buf,
                amb: AmbiguousWidth::Narrow,
                ascii: false,
            };
            bedboard::ui::map::draw_map(&model, area, &mut painter, &theme);
        })
    });
}

/// Points spread over about 90 by 50 km around 千代田区, without a random source.
mod map_bench {
    use bedboard::geo::LatLng;
    use bedboard::ui::map::{MapHospital, MapModel};

    fn spread(i: usize) -> LatLng {
        let step = |i: usize, n: usize| ((i * n) % 1000) as f64 / 1000.0 - 0.5;
        LatLng {
            lat: 35.69 + 0.45 * step(i, 617),
            lng: 139.75 + 1.0 * step(i, 379),
        }
    }

    pub fn model(places: usize, hospitals: usize) -> MapModel {
        MapModel {
            origin: LatLng {
                lat: 35.69388889,
                lng: 139.7536111,
            },
            places: (0..places).map(spread).collect(),
            hospitals: (0..hospitals)
                .map(|i| MapHospital {
                    at: spread(places + i),
                    name: format!("病院{i}"),
                    has_free: i % 3 == 0,
                    approximate: i % 2 == 0,
                })
                .collect(),
            selected: Some(7),
            radius_km: 40.0,
        }
    }
}

criterion_group!(benches, dashboard, resort, map_frame);
criterion_main!(benches);
