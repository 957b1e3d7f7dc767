//! The reducer: how a key's action, or the answer to an effect, changes the
//! dashboard. I/O is returned as [`Effect`]s, never done here.

use super::app::{App, Popup};
use super::effect::{Effect, ExportJob, Msg};
use super::export_dialog::{self, ExportDialog};
use super::hospital_page::HospitalPage;
use super::keymap::{Action, Mode, SCROLLS};
use super::preparation::Intent;
use super::view_model::{scrollable_columns, sortable_columns, TableLine, Toggles, ViewKind};
use crate::config::SavedView;
use crate::model::HospitalCode;
use crate::view::{self, Grouping, SearchQuery, SortDirection, SortKey};

/// What the copy key says: the number went to the terminal, which may or may not
/// let it onto the clipboard (xterm does not by default).
pub const COPY_SENT: &str =
    "端末へ送りました（端末が OSC 52 を許可していればクリップボードに入ります）";

impl App {
    pub fn update(&mut self, action: Action) -> Vec<Effect> {
        use Action::*;
        self.dirty = true;
        // A notice goes with the next key (typing a search is not one).
        if !matches!(action, Input(_) | DeleteChar | Submit) {
            self.dismiss_notice();
        }
        // The copied number stays up until the next key.
        if let Some(page) = &mut self.page {
            page.copied = None;
        }
        if self.mode == Mode::Popup && SCROLLS.contains(&action) {
            self.scroll_help(action);
            return Vec::new();
        }
        match (self.mode, action) {
            (_, Quit) => {}
            (Mode::NearInput, _) => {
                self.update_near_input(action);
                return Vec::new();
            }
            (Mode::Near, Help | Reload) => {}
            (Mode::Near, _) => return self.update_near(action),
            _ => {}
        }
        let page = self.page_rows.max(1) as isize;
        match action {
            Up => self.navigate(Intent::Move(-1)),
            Down => self.navigate(Intent::Move(1)),
            PageUp => self.navigate(Intent::Move(-page)),
            PageDown => self.navigate(Intent::Move(page)),
            Top => self.navigate(Intent::Top),
            Bottom => self.navigate(Intent::Bottom),
            Left => self.column_offset = self.column_offset.saturating_sub(1),
            Right => {
                let last = scrollable_columns(&self.prepared.report)
                    .len()
                    .saturating_sub(1);
                self.column_offset = (self.column_offset + 1).min(last)
            }
            NextSortColumn => self.next_sort_column(),
            ReverseSort => {
                if let Some(key) = &mut self.spec.sort {
                    key.direction = key.direction.reversed();
                    self.refresh_view();
                    self.show_top();
                }
            }
            StartSearch => {
                self.mode = Mode::Search;
                self.search.clear();
            }
            Input(c) => {
                self.search.push(c);
                self.after_search_edit();
            }
            DeleteChar => {
                self.search.pop();
                self.after_search_edit();
            }
            Submit => self.mode = Mode::Table,
            NextMatch => self.jump_to_match(true),
            PreviousMatch => self.jump_to_match(false),
            ToggleFilterMode => {
                self.filter_mode = !self.filter_mode;
                self.refresh_view();
            }
            ToggleFreeOnly => self.toggle_quick(|q| &mut q.free_only),
            ToggleStaleOnly => self.toggle_quick(|q| &mut q.stale_only),
            ToggleFlaggedOnly => self.toggle_quick(|q| &mut q.flagged_only),
            ToggleAllRows => {
                self.spec.all_rows = !self.spec.all_rows;
                self.refresh_view();
            }
            NextGrouping => {
                self.spec.group = match self.spec.group {
                    Grouping::None => Grouping::Prefecture,
                    Grouping::Prefecture => Grouping::Area,
                    Grouping::Area => Grouping::Municipality,
                    Grouping::Municipality => Grouping::None,
                };
                self.refresh_view();
            }
            ToggleRowCounts => self.toggles.row_counts = !self.toggles.row_counts,
            ToggleDetailRows => self.toggle(|t| &mut t.detail_rows),
            ToggleSubtotals => self.toggle(|t| &mut t.subtotals),
            ToggleGrandTotal => self.toggles.grand_total = !self.toggles.grand_total,
            ToggleChart => self.show_chart = !self.show_chart,
            Open => return self.open(),
            CopyPhone => return self.copy_phone(),
            NextPhone => {
                if let Some(page) = &mut self.page {
                    page.next_phone();
                }
            }
            Help => {
                self.help_scroll = 0;
                self.popup = Some(Popup::Help);
                self.mode = Mode::Popup;
            }
            Back => self.back(),
            Reload if self.feed.live => {
                self.feed.fetching = true;
                return vec![Effect::PollNow];
            }
            Reload => self.notify("このデータは取得し直せません".to_string()),
            ToggleWatch => return self.toggle_watch(),
            Export if self.exporting.is_some() => {
                self.notify("書き出し中です。終わるまでお待ちください".to_string())
            }
            Export if self.kind != ViewKind::ChangeLog => {
                self.export_dialog = Some(ExportDialog::new(&self.export_folder, *self.now()));
                self.mode = Mode::Export;
            }
            Export => {}
            StartNear => self.start_near(),
            Complete | ToggleMap | ZoomIn | ZoomOut => {}
            DialogKey(key) => return self.on_dialog_key(key),
            Acknowledge => return self.acknowledge(),
            SaveView => return self.save_view(),
            NextView => {
                self.kind = self.kind.next();
                self.selected = 0;
                self.scroll = 0;
                self.intents.clear();
                self.refresh_view();
            }
            Quit => self.mode = Mode::ConfirmQuit,
            Confirm => self.should_quit = true,
            Cancel => {
                if self.mode == Mode::Search {
                    self.search.clear();
                    self.after_search_edit();
                }
                self.mode = self.base_mode();
            }
        }
        Vec::new()
    }

    /// Sends the selected phone number to the terminal's clipboard (OSC 52) and
    /// shows it large. Whether the terminal takes it cannot be known: say so.
    fn copy_phone(&mut self) -> Vec<Effect> {
        let Some(page) = &mut self.page else {
            return Vec::new();
        };
        match page.phone_to_copy() {
            Some(digits) => {
                page.show_copied();
                self.notify(COPY_SENT.to_string());
                vec![Effect::Copy(digits)]
            }
            None => {
                self.notify("コピーする電話番号がありません".to_string());
                Vec::new()
            }
        }
    }

    /// Moves in the key list; other popups do not scroll.
    fn scroll_help(&mut self, action: Action) {
        if self.popup != Some(Popup::Help) {
            return;
        }
        let page = self.page_rows.max(1);
        let scroll = &mut self.help_scroll;
        *scroll = match action {
            Action::Up => scroll.saturating_sub(1),
            Action::Down => *scroll + 1,
            Action::PageUp => scroll.saturating_sub(page),
            Action::PageDown => *scroll + page,
            Action::Top => 0,
            // Drawing clamps it to the last screenful.
            _ => usize::MAX / 2,
        };
    }

    /// Takes the answer to an effect.
    pub fn on_message(&mut self, msg: Msg) -> Vec<Effect> {
        self.dirty = true;
        match msg {
            Msg::ExportProgress { done, total } => {
                if self.exporting.is_some() {
                    self.export_progress = Some((done, total));
                }
            }
            Msg::Exported(result) => self.on_exported(result),
            Msg::ExportExists(path) => {
                self.export_progress = None;
                if let Some(mut dialog) = self.exporting.take() {
                    dialog.ask_to_replace(path);
                    self.export_dialog = Some(dialog);
                    self.mode = Mode::Export;
                }
            }
            Msg::ViewSaved(result) => self.notify(match result {
                Ok(path) => format!("既定の表示を保存しました（{}）", path.display()),
                Err(err) => err,
            }),
            Msg::WatchListSaved(Err(err)) => self.notify(format!(
                "監視リストを履歴ファイルに保存できません（{err}）。w で設定ファイルに保存できます"
            )),
            Msg::AcknowledgementsRecorded(Err(err)) => {
                self.notify(format!("確認を履歴ファイルに記録できません（{err}）"))
            }
            Msg::WatchListSaved(Ok(())) | Msg::AcknowledgementsRecorded(Ok(())) => {}
            Msg::HistoryLoaded { request, history } => {
                if request == self.page_request {
                    if let Some(page) = &mut self.page {
                        page.show_history(history);
                    }
                }
            }
        }
        Vec::new()
    }

    /// Enter: the hospital page from a row, a master row or the change log;
    /// a group from a summary line.
    fn open(&mut self) -> Vec<Effect> {
        match self.kind {
            ViewKind::ChangeLog => {
                self.open_logged_hospital();
                Vec::new()
            }
            ViewKind::HospitalMaster => {
                let code = self
                    .master_lines
                    .get(self.selected)
                    .and_then(|&i| self.hospitals.as_deref()?.records().get(i).map(|r| r.code));
                code.map_or_else(Vec::new, |code| self.open_page(code))
            }
            ViewKind::MunicipalityMaster => Vec::new(),
            ViewKind::ByArea | ViewKind::ByMunicipality => {
                self.open_group();
                Vec::new()
            }
            ViewKind::Rows => match self.selected_row() {
                Some(row) => self.open_page(self.prepared.report.rows[row].hospital_code),
                None => Vec::new(),
            },
        }
    }

    /// Opens the hospital page at once with what is in memory; its history
    /// comes from the store as [`Msg::HistoryLoaded`].
    pub fn open_page(&mut self, code: HospitalCode) -> Vec<Effect> {
        let row = self
            .prepared
            .report
            .rows
            .iter()
            .find(|r| r.hospital_code == code);
        let record = self.hospitals.as_deref().and_then(|m| m.get(&code));
        let findings = self
            .cross
            .for_hospital(&code)
            .iter()
            .map(|f| f.message.clone())
            .collect();
        let mut page = HospitalPage::new(code, row, record, findings, &self.spec);
        page.checked = self.cross.with_hospital_master || self.cross.with_municipality_master;
        self.page_request += 1;
        let mut effects = Vec::new();
        if let Some(store) = &self.store_path {
            page.history_loading();
            effects.push(Effect::LoadHistory {
                request: self.page_request,
                code,
                store: store.clone(),
                since: page.since,
            });
        }
        self.page = Some(page);
        self.popup = Some(Popup::Hospital);
        self.mode = Mode::Page;
        effects
    }

    /// From a change-log line to that hospital's row in the list.
    fn open_logged_hospital(&mut self) {
        let Some(code) = self.change_log.get(self.selected).map(|e| e.code) else {
            return;
        };
        self.kind = ViewKind::Rows;
        self.intents.clear();
        self.refresh_view();
        self.navigate(Intent::ShowHospital(code));
    }

    /// From a summary line to the hospital list, grouped the same way, at that group.
    fn open_group(&mut self) {
        let Some(TableLine::Summary(g)) = self.prepared.line(self.selected) else {
            return;
        };
        let Some(label) = self.prepared.view.groups.get(g).map(|g| g.label.clone()) else {
            return;
        };
        self.spec.group = self.kind.grouping().unwrap_or_default();
        self.kind = ViewKind::Rows;
        self.intents.clear();
        self.refresh_view();
        self.navigate(Intent::ShowGroup(label));
    }

    fn on_dialog_key(&mut self, key: crossterm::event::KeyEvent) -> Vec<Effect> {
        let Some(dialog) = &mut self.export_dialog else {
            self.mode = Mode::Table;
            return Vec::new();
        };
        match dialog.handle(key) {
            export_dialog::Outcome::Continue => {}
            export_dialog::Outcome::Cancel => {
                self.export_dialog = None;
                self.mode = Mode::Table;
            }
            export_dialog::Outcome::Submit => return self.export(),
        }
        Vec::new()
    }

    /// Asks for what is on screen to be written — scope, filter, sort and
    /// grouping applied. The dialog steps aside while it runs; a failure
    /// brings it back with the reason.
    fn export(&mut self) -> Vec<Effect> {
        let Some(mut dialog) = self.export_dialog.take() else {
            return Vec::new();
        };
        if let Some(reason) = dialog.mismatch() {
            dialog.error = Some(reason);
            self.export_dialog = Some(dialog);
            return Vec::new();
        }
        let job = ExportJob {
            report: self.prepared.report.clone(),
            view: self.prepared.view.clone(),
            spec: self.spec.clone(),
            export_view: dialog.view,
            encoding: dialog.encoding,
            header: crate::export::ReportHeader {
                fire_department: self.profile.as_ref().map(|p| p.fire_department.clone()),
                ..crate::export::ReportHeader::new(&self.spec, self.feed.last_fetch)
            },
            path: dialog.path(),
            existing: dialog.existing(),
        };
        self.export_progress = Some((0, job.view.order.len()));
        self.exporting = Some(dialog);
        self.mode = Mode::Table;
        vec![Effect::Export(Box::new(job))]
    }

    fn on_exported(&mut self, result: Result<crate::export::ExportSummary, String>) {
        self.export_progress = None;
        let Some(mut dialog) = self.exporting.take() else {
            return;
        };
        match result {
            Ok(summary) => {
                let mut text = summary.message();
                if let Some(warning) = summary.warning() {
                    text = format!("{text}。{warning}");
                }
                self.notify(text);
            }
            Err(err) => {
                dialog.error = Some(err);
                self.export_dialog = Some(dialog);
                self.mode = Mode::Export;
            }
        }
    }

    /// With a store the list is kept there at once; without one `w` saves it in the config.
    fn toggle_watch(&mut self) -> Vec<Effect> {
        let Some(row) = self.selected_row() else {
            return Vec::new();
        };
        let row = &self.prepared.report.rows[row];
        let name = crate::text::sanitize(&row.hospital_name).into_owned();
        let kept = self.store_path.is_some();
        let save_hint = if kept { "" } else { "（w で保存）" };
        let code = row.hospital_code;
        let watched = !self.watch.remove(&code);
        let text = if watched {
            self.watch.insert(code);
            format!("{name} を監視します: 空床が 0 になったとき・戻ったときに知らせます{save_hint}")
        } else {
            format!("{name} を監視から外しました{save_hint}")
        };
        self.notify(text);
        if !kept {
            return Vec::new();
        }
        vec![Effect::SetWatched {
            code,
            watched,
            at: *self.now(),
        }]
    }

    /// The view settings as the config file keeps them.
    pub fn saved_view(&self) -> SavedView {
        let quick = self.spec.quick;
        SavedView {
            sort: self.spec.sort,
            group: self.spec.group,
            filter: if self.filter_mode {
                self.search.clone()
            } else {
                String::new()
            },
            free_only: quick.free_only,
            stale_only: quick.stale_only,
            flagged_only: quick.flagged_only,
            chart: self.show_chart,
            watch: self.watch.iter().map(|c| c.to_string()).collect(),
        }
    }

    /// Puts a saved view in force.
    pub fn apply_view(&mut self, view: &SavedView) {
        let sort_chosen = self.spec.sort != view.sort;
        self.spec.sort = view.sort;
        self.spec.group = view.group;
        self.spec.quick = view::QuickFilters {
            free_only: view.free_only,
            stale_only: view.stale_only,
            flagged_only: view.flagged_only,
        };
        self.search = view.filter.clone();
        self.filter_mode = !view.filter.is_empty();
        self.show_chart = view.chart;
        self.watch = view
            .watch
            .iter()
            .filter_map(|c| HospitalCode::parse(c).ok())
            .collect();
        self.refresh_view();
        if sort_chosen {
            self.show_top();
        }
    }

    fn save_view(&mut self) -> Vec<Effect> {
        let path = self
            .config_path
            .clone()
            .unwrap_or_else(crate::config::user_config_path);
        vec![Effect::SaveView {
            path,
            view: self.saved_view(),
        }]
    }

    fn back(&mut self) {
        if self.popup.take().is_some() {
            // The table is as it was: same row, same scroll.
            self.page = None;
            self.mode = self.base_mode();
        } else if !self.search.is_empty() {
            self.search.clear();
            self.after_search_edit();
        }
    }

    /// The screen under popups: the 搬送先候補 list while it is open, else the table.
    fn base_mode(&self) -> Mode {
        if self.near.is_some() {
            Mode::Near
        } else {
            Mode::Table
        }
    }

    fn toggle(&mut self, field: impl Fn(&mut Toggles) -> &mut bool) {
        let flag = field(&mut self.toggles);
        *flag = !*flag;
        self.refresh_view();
    }

    fn toggle_quick(&mut self, field: impl Fn(&mut view::QuickFilters) -> &mut bool) {
        let flag = field(&mut self.spec.quick);
        *flag = !*flag;
        self.refresh_view();
    }

    fn after_search_edit(&mut self) {
        if self.filter_mode {
            self.refresh_view();
        } else if !self.search.is_empty() && !self.line_matches(self.selected) {
            self.jump_to_match(true);
        }
    }

    fn next_sort_column(&mut self) {
        let columns = sortable_columns(&self.incoming);
        let next = match self.spec.sort {
            None => columns[0],
            Some(key) => {
                let i = columns.iter().position(|c| *c == key.column).unwrap_or(0);
                columns[(i + 1) % columns.len()]
            }
        };
        // Counts read best largest first; text in its natural order.
        let direction = if next.kind() == crate::model::ColumnKind::Number {
            SortDirection::Descending
        } else {
            SortDirection::Ascending
        };
        self.spec.sort = Some(SortKey {
            column: next,
            direction,
        });
        self.refresh_view();
        self.show_top();
    }

    /// A sort just chosen shows its first line at the top, selected, as the
    /// header's 「並べ替え」 promises (a data refresh keeps the selection instead).
    fn show_top(&mut self) {
        self.navigate(Intent::Top);
    }

    fn line_matches(&self, line: usize) -> bool {
        let query = SearchQuery::new(&self.search);
        self.prepared
            .row_at(line)
            .is_some_and(|i| view::matches_row(&query, &self.prepared.report.rows[i]))
    }

    fn jump_to_match(&mut self, forward: bool) {
        let n = self.prepared.line_count();
        if self.search.is_empty() || n == 0 {
            return;
        }
        let query = SearchQuery::new(&self.search);
        let rows = &self.prepared.report.rows;
        let found = (1..=n)
            .map(|step| {
                if forward {
                    (self.selected + step) % n
                } else {
                    (self.selected + n - step % n) % n
                }
            })
            .find(|&line| {
                self.prepared
                    .row_at(line)
                    .is_some_and(|i| view::matches_row(&query, &rows[i]))
            });
        match found {
            Some(line) => {
                self.dismiss_notice();
                self.move_to(line);
            }
            None => self.notify(format!(
                "「{}」は見つかりません",
                crate::text::sanitize(&self.search)
            )),
        }
    }
}
