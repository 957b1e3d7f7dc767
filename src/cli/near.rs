//! `--near PLACE` on `print` and `export`: the origin resolved against the
//! shipped municipality table, the masters that place hospitals, and the
//! report ranked or extended with 距離・方向・位置.

use crate::cli::args::{NearArgs, SortChoice, ViewArgs};
use crate::cli::error::{say, CommandError};
use crate::formats::ImportOptions;
use crate::geo::{places, Origin};
use crate::master::{
    import_hospital_master_file, import_municipality_master_file, HospitalMaster,
    MunicipalityMaster,
};
use crate::model::{PrefectureNumber, Report};
use crate::view::near::{Locator, NearList, NearOrder};
use crate::view::{SortDirection, View, ViewSpec};

/// The columns `export --near` adds after the file's own.
pub const EXPORT_COLUMNS: [&str; 3] = ["距離(km)", "方向", "位置"];

/// The masters named on the command line; for the built-in demo data, the demo's own.
pub struct NearMasters {
    pub hospitals: Option<HospitalMaster>,
    pub municipalities: Option<MunicipalityMaster>,
}

impl NearMasters {
    pub fn load(args: &NearArgs, demo: bool) -> Result<Self, CommandError> {
        let options = ImportOptions::default();
        let mut hospitals = match &args.master {
            Some(path) => Some(import_hospital_master_file(path, &options)?),
            None => None,
        }
        .map(|import| {
            import.messages().iter().for_each(|m| say(m));
            import.master
        });
        let mut municipalities = match &args.municipalities {
            Some(path) => Some(import_municipality_master_file(path, &options)?),
            None => None,
        }
        .map(|import| {
            import.messages().iter().for_each(|m| say(m));
            import.master
        });
        if demo && hospitals.is_none() && municipalities.is_none() {
            let (demo_hospitals, demo_municipalities) = crate::demo::generator::demo_masters();
            hospitals = demo_hospitals;
            municipalities = Some(demo_municipalities);
        }
        Ok(Self {
            hospitals,
            municipalities,
        })
    }

    pub fn locator(&self) -> Locator<'_> {
        Locator {
            hospitals: self.hospitals.as_ref(),
            municipalities: self.municipalities.as_ref(),
        }
    }
}

/// The origin `text` names; a name found in several prefectures is taken in
/// the scope (`--prefecture`), else in the prefectures the report covers.
pub fn resolve_origin(
    text: &str,
    scope: Option<PrefectureNumber>,
    report: &Report,
) -> Result<Origin, CommandError> {
    let preferred: Vec<PrefectureNumber> = match scope {
        Some(pref) => vec![pref],
        None => {
            let mut found = Vec::new();
            for row in &report.rows {
                if !found.contains(&row.prefecture_no) {
                    found.push(row.prefecture_no);
                }
            }
            found
        }
    };
    places()
        .resolve(text, &preferred)
        .map_err(|err| CommandError::Unusable(err.to_string()))
}

/// How `--sort` orders a list ranked by distance: by distance unless a column is asked for.
pub fn near_order(args: &ViewArgs) -> NearOrder {
    match args.sort {
        Some(SortChoice::Column(key)) => NearOrder::Column(key),
        Some(SortChoice::Distance(direction)) => NearOrder::Distance(direction),
        None => NearOrder::default(),
    }
}

/// `--sort 距離` without `--near` has nothing to sort by.
pub fn check_sort(args: &ViewArgs) -> Result<(), CommandError> {
    match (args.sort, &args.near.near) {
        (Some(SortChoice::Distance(_)), None) => Err(CommandError::Unusable(
            "距離で並べ替えるには --near PLACE を指定してください".to_string(),
        )),
        _ => Ok(()),
    }
}

/// The report with 距離(km)・方向・位置 added as its last columns, and the
/// view of it: ordered by distance (within each group) unless a column sort
/// was asked for; hospitals with no position last.
pub fn with_distances(
    report: &Report,
    list: &NearList,
    spec: &ViewSpec,
    order: NearOrder,
) -> (Report, View) {
    let mut extended = report.clone();
    let base = extended.extra_columns.len();
    extended
        .extra_columns
        .extend(EXPORT_COLUMNS.iter().map(|c| c.to_string()));
    let mut distance = vec![None; report.rows.len()];
    for candidate in &list.candidates {
        distance[candidate.row] = Some(candidate);
    }
    for (row, candidate) in extended.rows.iter_mut().zip(&distance) {
        let mut extra = std::mem::take(&mut row.extra).into_vec();
        extra.resize(base, String::new());
        match candidate {
            Some(c) => extra.extend([
                format!("{:.1}", c.distance_km),
                c.direction_text().to_string(),
                if c.position.approximate { "概算" } else { "" }.to_string(),
            ]),
            None => extra.extend(std::iter::repeat_n(String::new(), 3)),
        }
        row.extra = extra.into();
    }
    let mut view = View::build(&extended, spec);
    if let NearOrder::Distance(direction) = order {
        let key = |i: &usize| distance[*i].map(|c| c.distance_km);
        let ranges: Vec<std::ops::Range<usize>> = if view.groups.is_empty() {
            std::iter::once(0..view.order.len()).collect()
        } else {
            view.groups.iter().map(|g| g.rows.clone()).collect()
        };
        for range in ranges {
            view.order[range].sort_by(|a, b| match (key(a), key(b)) {
                (Some(x), Some(y)) => match direction {
                    SortDirection::Ascending => x.total_cmp(&y),
                    SortDirection::Descending => y.total_cmp(&x),
                },
                (a, b) => a.is_none().cmp(&b.is_none()),
            });
        }
    }
    (extended, view)
}

/// `print --near`: the ranked list as plain text.
pub fn render_print(
    loaded: &crate::cli::input::Loaded,
    args: &ViewArgs,
    place: &str,
    spec: &ViewSpec,
    options: &crate::ui::plain::PlainOptions,
    demo: bool,
) -> Result<String, CommandError> {
    let origin = resolve_origin(place, args.prefecture, &loaded.report)?;
    let masters = NearMasters::load(&args.near, demo)?;
    let locator = masters.locator();
    let list = NearList::rank(&loaded.report, origin, &locator);
    let order = near_order(args);
    let ordered = list.ordered(&loaded.report, order, false, &spec.now);
    let shown: Vec<&crate::view::near::Candidate> = ordered
        .into_iter()
        .filter(|c| spec.keeps(&loaded.report.rows[c.row]))
        .collect();
    let print = crate::ui::near_plain::NearPrint {
        list: &list,
        shown: &shown,
        report: &loaded.report,
        locator,
        spec,
        source: &loaded.label,
        order,
    };
    Ok(crate::ui::near_plain::render_near(&print, options))
}

/// `export --near`: the report extended with the distance columns, and its view.
pub fn export_view(
    report: &Report,
    args: &ViewArgs,
    place: &str,
    spec: &ViewSpec,
    demo: bool,
) -> Result<(Report, View), CommandError> {
    let origin = resolve_origin(place, args.prefecture, report)?;
    let masters = NearMasters::load(&args.near, demo)?;
    let list = NearList::rank(report, origin, &masters.locator());
    Ok(with_distances(report, &list, spec, near_order(args)))
}
