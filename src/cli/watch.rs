//! At start: the watch list kept in the store, and who acknowledges alerts here.

use crate::store::{StoreError, StoreHandle};
use crate::ui::app::App;

/// How far back 変更履歴 shows the acknowledgements kept in the store, at start.
pub fn acknowledgements_shown() -> chrono::Duration {
    chrono::Duration::days(7)
}

/// Puts the store's watch list in force; a store that never held one is seeded with the
/// app's list (the config's). The acknowledgements of [`acknowledgements_shown`] go to
/// 変更履歴.
pub async fn restore(app: &mut App, store: &StoreHandle) -> Result<(), StoreError> {
    match store.watch_list().await? {
        Some(saved) => {
            app.watch = saved;
            app.refresh_view();
        }
        None => store.save_watch_list(app.watch.clone(), *app.now()).await?,
    }
    let since = *app.now() - acknowledgements_shown();
    let acknowledgements = store.acknowledgements_since(since).await?;
    app.show_acknowledgements(&acknowledgements);
    Ok(())
}

/// `user@host` of whoever runs the dashboard: `$USER` (else `$LOGNAME`) and the host name.
pub fn operator_name() -> String {
    let user = ["USER", "LOGNAME"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .map(|user| user.trim().to_string())
        .find(|user| !user.is_empty())
        .unwrap_or_else(|| "不明".to_string());
    format!("{user}@{}", host_name())
}

/// The kernel's host name, else `/etc/hostname`, else `$HOSTNAME`.
fn host_name() -> String {
    ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .filter_map(|path| std::fs::read_to_string(path).ok())
        .chain(std::env::var("HOSTNAME").ok())
        .map(|host| host.trim().to_string())
        .find(|host| !host.is_empty())
        .unwrap_or_else(|| "localhost".to_string())
}

/// Opens the dashboard's store for the poller and the watch list, and restores the
/// list. None when it cannot be opened: the poller then tries again and says why.
pub async fn open_store(app: &mut App, path: &std::path::Path) -> Option<StoreHandle> {
    let store = StoreHandle::open(path).await.ok()?;
    if let Some(moved) = store.recovered_from() {
        app.notify_in_turn(format!(
            "履歴ファイルが壊れていたため {} に退避し、新しく作りました",
            moved.display()
        ));
    }
    if let Err(err) = restore(app, &store).await {
        app.notify_in_turn(format!("監視リストを履歴ファイルから読めません（{err}）"));
    }
    Some(store)
}
