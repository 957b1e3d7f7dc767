# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_bedboard_global_optspecs
    string join \n source= config= interval= store= prefecture= format= master= municipalities= ambiguous-width= terminal-encoding= ascii no-color theme= stale-hours= encoding= h/help V/version
end

function __fish_bedboard_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_bedboard_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_bedboard_using_subcommand
    set -l cmd (__fish_bedboard_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c bedboard -n "__fish_bedboard_needs_command" -l source -d '取得元: URL（http/https）、G-MIS「詳細のみ」のファイル、またはドロップフォルダ。 省略時は設定ファイルの [feed] source、それもなければ内蔵のデモ用フィード' -r
complete -c bedboard -n "__fish_bedboard_needs_command" -l config -d '設定ファイル（既定: $BEDBOARD_CONFIG、なければ ~/.config/bedboard/config.toml）' -r -F
complete -c bedboard -n "__fish_bedboard_needs_command" -l interval -d '取得の間隔（秒、10 以上。既定 60）' -r
complete -c bedboard -n "__fish_bedboard_needs_command" -l store -d '履歴ファイル（SQLite）。既定は URL とフォルダなら ~/.local/share/bedboard/history.sqlite3' -r -F
complete -c bedboard -n "__fish_bedboard_needs_command" -l prefecture -d 'この都道府県の行だけを表示・保存する（名前か番号）' -r
complete -c bedboard -n "__fish_bedboard_needs_command" -l format -d '取得するデータの形式' -r -f -a "auto\t'自動判定'
csv\t'CSV'
json\t'JSON（行）'
report\t'レポート JSON'"
complete -c bedboard -n "__fish_bedboard_needs_command" -l master -d '医療機関マスタ（CSV のパスか URL）' -r
complete -c bedboard -n "__fish_bedboard_needs_command" -l municipalities -d '自治体マスタ（CSV のパスか URL）' -r
complete -c bedboard -n "__fish_bedboard_needs_command" -l ambiguous-width -d '曖昧幅文字の幅: narrow（1）| wide（2）| auto（端末に問い合わせる。既定）' -r
complete -c bedboard -n "__fish_bedboard_needs_command" -l terminal-encoding -d '端末の文字コード: auto（ロケールから。既定）| utf8 | sjis | eucjp' -r -f -a "auto\t''
utf8\t''
sjis\t''
eucjp\t''"
complete -c bedboard -n "__fish_bedboard_needs_command" -l theme -d '配色（既定: 256 色の端末なら default、それ以外は basic）' -r -f -a "default\t''
basic\t''
high-contrast\t''
mono\t''"
complete -c bedboard -n "__fish_bedboard_needs_command" -l stale-hours -d 'この時間（時間単位）より古い報告を「古い」とする（既定 24）' -r
complete -c bedboard -n "__fish_bedboard_needs_command" -l encoding -d '入力の文字コード（既定 auto）' -r -f -a "auto\t''
sjis\t''
utf8\t''"
complete -c bedboard -n "__fish_bedboard_needs_command" -l ascii -d '罫線を ASCII で描く'
complete -c bedboard -n "__fish_bedboard_needs_command" -l no-color -d '色を使わない（環境変数 NO_COLOR でも同じ）'
complete -c bedboard -n "__fish_bedboard_needs_command" -s h -l help -d 'ヘルプを表示する（--help で詳しく）'
complete -c bedboard -n "__fish_bedboard_needs_command" -s V -l version -d 'バージョンを表示する'
complete -c bedboard -n "__fish_bedboard_needs_command" -f -a "print" -d '表を標準出力に書き出す（ダム端末・cron・メール向け）'
complete -c bedboard -n "__fish_bedboard_needs_command" -f -a "export" -d '書き出す: 「詳細のみ」CSV（Shift-JIS・UTF-8）か「フォーマット済みレポート」（.xlsx）'
complete -c bedboard -n "__fish_bedboard_needs_command" -f -a "demo-feed" -d 'デモ用のフィードを HTTP で配信する（数秒ごとに数件の数値が変わる）'
complete -c bedboard -n "__fish_bedboard_needs_command" -f -a "registration-form" -d '別添1「消防ユーザ登録情報」の行を設定ファイルの [profile] から CP932 の CSV に書く'
complete -c bedboard -n "__fish_bedboard_needs_command" -f -a "status" -d '履歴ファイルの状態を表示する（監視用。終了コード 0 正常・1 警告・2 危険）'
complete -c bedboard -n "__fish_bedboard_needs_command" -f -a "poll" -d '画面なしで取得し続ける（常駐用。同じ履歴ファイルのダッシュボードはこの取得を表示する）'
complete -c bedboard -n "__fish_bedboard_needs_command" -f -a "completions" -d 'シェルの補完スクリプトを標準出力に書き出す（bash・zsh・fish）'
complete -c bedboard -n "__fish_bedboard_needs_command" -f -a "help" -d 'このヘルプか、指定したコマンドのヘルプを表示する'
complete -c bedboard -n "__fish_bedboard_using_subcommand print" -l source -d 'G-MIS「詳細のみ」CSV・JSON・.xlsx のパスか、ドロップフォルダ（省略時は内蔵のデモデータ）' -r -F
complete -c bedboard -n "__fish_bedboard_using_subcommand print" -l config -d '設定ファイル（既定: $BEDBOARD_CONFIG、なければ ~/.config/bedboard/config.toml）' -r -F
complete -c bedboard -n "__fish_bedboard_using_subcommand print" -l max-mib -d '読み込むファイルの上限（MiB、1〜1024）。省略時は設定ファイルの [feed] max_mib、なければ 64' -r
complete -c bedboard -n "__fish_bedboard_using_subcommand print" -l sort -d '並べ替える列と向き: COLUMN[:asc|:desc]。COLUMN は列名か英字の別名' -r
complete -c bedboard -n "__fish_bedboard_using_subcommand print" -l group -d 'グループ化: none | prefecture（都道府県）| area（二次医療圏）| municipality（市区町村）' -r -f -a "none\t'なし'
prefecture\t'都道府県'
area\t'二次医療圏'
municipality\t'市区町村'"
complete -c bedboard -n "__fish_bedboard_using_subcommand print" -l filter -d '絞り込み（医療機関名・コード・市区町村・二次医療圏。全角半角・ひらがなカタカナ・大文字小文字を区別しない）' -r
complete -c bedboard -n "__fish_bedboard_using_subcommand print" -l prefecture -d 'この都道府県の行だけ（名前か番号）。他の行は件数だけ数えて除く' -r
complete -c bedboard -n "__fish_bedboard_using_subcommand print" -l now -d 'この時刻（JST, 例 "2022/02/01 12:00"）を現在として経過・古さを判定する' -r
complete -c bedboard -n "__fish_bedboard_using_subcommand print" -l stale-hours -d 'この時間（時間単位）より古い報告を「古い」とする' -r
complete -c bedboard -n "__fish_bedboard_using_subcommand print" -l near -d '搬送先候補: この場所から近い順に並べ、距離・方向の列を加える（市区町村名・かな、全国地方公共団体コード、市区町村で始まる住所、「緯度,経度」）' -r
complete -c bedboard -n "__fish_bedboard_using_subcommand print" -l master -d '医療機関マスタ（緯度・経度と電話番号。CSV のパス）' -r -F
complete -c bedboard -n "__fish_bedboard_using_subcommand print" -l municipalities -d '自治体マスタ（市区町村の緯度・経度があれば内蔵の一覧より優先。CSV のパス）' -r -F
complete -c bedboard -n "__fish_bedboard_using_subcommand print" -l width -d '表示幅（セル数）。省略時は端末の幅、端末でなければ制限なし' -r
complete -c bedboard -n "__fish_bedboard_using_subcommand print" -l ambiguous-width -d '曖昧幅文字（①※○Ⅱ─ など）の幅: 1 または 2' -r
complete -c bedboard -n "__fish_bedboard_using_subcommand print" -l encoding -d '入力の文字コード' -r -f -a "auto\t''
sjis\t''
utf8\t''"
complete -c bedboard -n "__fish_bedboard_using_subcommand print" -l all-rows -d '同じ医療機関の過去の報告（別の日の行）も含める（既定は病院ごとに最新の行のみ）'
complete -c bedboard -n "__fish_bedboard_using_subcommand print" -l ascii -d '罫線を ASCII で描く'
complete -c bedboard -n "__fish_bedboard_using_subcommand print" -s h -l help -d 'ヘルプを表示する（--help で詳しく）'
complete -c bedboard -n "__fish_bedboard_using_subcommand export" -l source -d 'G-MIS「詳細のみ」CSV・JSON・.xlsx のパスか、ドロップフォルダ（省略時は内蔵のデモデータ）' -r -F
complete -c bedboard -n "__fish_bedboard_using_subcommand export" -l out -d '書き出すファイル' -r -F
complete -c bedboard -n "__fish_bedboard_using_subcommand export" -l view -d 'details（詳細のみ、CSV）| formatted（フォーマット済みレポート、.xlsx）。省略時は --out の拡張子で決める（.xlsx なら formatted、それ以外は details）' -r -f -a "details\t'詳細のみ'
formatted\t'フォーマット済みレポート'"
complete -c bedboard -n "__fish_bedboard_using_subcommand export" -l encoding -d 'CSV の文字コード: sjis（既定、G-MIS と同じ）| utf8 | utf8-bom（Excel で UTF-8 を開くとき）' -r -f -a "sjis\t'Shift-JIS'
utf8\t'UTF-8'
utf8-bom\t'UTF-8（BOM 付き）'"
complete -c bedboard -n "__fish_bedboard_using_subcommand export" -l input-encoding -d '入力の文字コード' -r -f -a "auto\t''
sjis\t''
utf8\t''"
complete -c bedboard -n "__fish_bedboard_using_subcommand export" -l config -d '設定ファイル（既定: $BEDBOARD_CONFIG、なければ ~/.config/bedboard/config.toml）' -r -F
complete -c bedboard -n "__fish_bedboard_using_subcommand export" -l max-mib -d '読み込むファイルの上限（MiB、1〜1024）。省略時は設定ファイルの [feed] max_mib、なければ 64' -r
complete -c bedboard -n "__fish_bedboard_using_subcommand export" -l sort -d '並べ替える列と向き: COLUMN[:asc|:desc]。COLUMN は列名か英字の別名' -r
complete -c bedboard -n "__fish_bedboard_using_subcommand export" -l group -d 'グループ化: none | prefecture（都道府県）| area（二次医療圏）| municipality（市区町村）' -r -f -a "none\t'なし'
prefecture\t'都道府県'
area\t'二次医療圏'
municipality\t'市区町村'"
complete -c bedboard -n "__fish_bedboard_using_subcommand export" -l filter -d '絞り込み（医療機関名・コード・市区町村・二次医療圏。全角半角・ひらがなカタカナ・大文字小文字を区別しない）' -r
complete -c bedboard -n "__fish_bedboard_using_subcommand export" -l prefecture -d 'この都道府県の行だけ（名前か番号）。他の行は件数だけ数えて除く' -r
complete -c bedboard -n "__fish_bedboard_using_subcommand export" -l now -d 'この時刻（JST, 例 "2022/02/01 12:00"）を現在として経過・古さを判定する' -r
complete -c bedboard -n "__fish_bedboard_using_subcommand export" -l stale-hours -d 'この時間（時間単位）より古い報告を「古い」とする' -r
complete -c bedboard -n "__fish_bedboard_using_subcommand export" -l near -d '搬送先候補: この場所から近い順に並べ、距離・方向の列を加える（市区町村名・かな、全国地方公共団体コード、市区町村で始まる住所、「緯度,経度」）' -r
complete -c bedboard -n "__fish_bedboard_using_subcommand export" -l master -d '医療機関マスタ（緯度・経度と電話番号。CSV のパス）' -r -F
complete -c bedboard -n "__fish_bedboard_using_subcommand export" -l municipalities -d '自治体マスタ（市区町村の緯度・経度があれば内蔵の一覧より優先。CSV のパス）' -r -F
complete -c bedboard -n "__fish_bedboard_using_subcommand export" -l strict -d 'Shift-JIS で表せない文字があれば書き出さずにエラーにする（既定は〓に置き換えて報告）'
complete -c bedboard -n "__fish_bedboard_using_subcommand export" -l all-rows -d '同じ医療機関の過去の報告（別の日の行）も含める（既定は病院ごとに最新の行のみ）'
complete -c bedboard -n "__fish_bedboard_using_subcommand export" -s h -l help -d 'ヘルプを表示する（--help で詳しく）'
complete -c bedboard -n "__fish_bedboard_using_subcommand demo-feed" -l addr -d '待ち受けるアドレス' -r
complete -c bedboard -n "__fish_bedboard_using_subcommand demo-feed" -l change-every -d '数件の病院の数値を変える間隔（秒）' -r
complete -c bedboard -n "__fish_bedboard_using_subcommand demo-feed" -l user -d '基本認証を求める（USER:PASSWORD。パスワードは環境変数 BEDBOARD_DEMO_PASSWORD でも可）' -r
complete -c bedboard -n "__fish_bedboard_using_subcommand demo-feed" -s h -l help -d 'ヘルプを表示する'
complete -c bedboard -n "__fish_bedboard_using_subcommand registration-form" -l out -d '書き出すファイル' -r -F
complete -c bedboard -n "__fish_bedboard_using_subcommand registration-form" -l reason -d '申請理由' -r
complete -c bedboard -n "__fish_bedboard_using_subcommand registration-form" -l config -d '設定ファイル（既定: $BEDBOARD_CONFIG、なければ ~/.config/bedboard/config.toml）' -r -F
complete -c bedboard -n "__fish_bedboard_using_subcommand registration-form" -s h -l help -d 'ヘルプを表示する'
complete -c bedboard -n "__fish_bedboard_using_subcommand status" -l config -d '設定ファイル（既定: $BEDBOARD_CONFIG、なければ ~/.config/bedboard/config.toml）' -r -F
complete -c bedboard -n "__fish_bedboard_using_subcommand status" -l store -d '履歴ファイル（既定は設定ファイルの [store] path、なければ ~/.local/share/bedboard/history.sqlite3）' -r -F
complete -c bedboard -n "__fish_bedboard_using_subcommand status" -l interval -d 'ダッシュボードの取得の間隔（秒。既定は設定ファイルの値）。この 4 倍の間成功していなければ取得が止まったとみなす' -r
complete -c bedboard -n "__fish_bedboard_using_subcommand status" -l critical-after -d '取得するプロセス（ダッシュボードか bedboard poll）のない状態がこの時間（分）を超えたら危険（終了コード 2）とする' -r
complete -c bedboard -n "__fish_bedboard_using_subcommand status" -l json -d '監視システム向けに JSON で書き出す（キーは英語、時刻は ISO 8601・+09:00）'
complete -c bedboard -n "__fish_bedboard_using_subcommand status" -s h -l help -d 'ヘルプを表示する'
complete -c bedboard -n "__fish_bedboard_using_subcommand poll" -l source -d '取得元: URL（http/https）、G-MIS「詳細のみ」のファイル、またはドロップフォルダ。 省略時は設定ファイルの [feed] source、それもなければ内蔵のデモ用フィード（試用向け）' -r
complete -c bedboard -n "__fish_bedboard_using_subcommand poll" -l config -d '設定ファイル（既定: $BEDBOARD_CONFIG、なければ ~/.config/bedboard/config.toml）' -r -F
complete -c bedboard -n "__fish_bedboard_using_subcommand poll" -l interval -d '取得の間隔（秒、10 以上。既定は設定ファイルの値、なければ 60）' -r
complete -c bedboard -n "__fish_bedboard_using_subcommand poll" -l store -d '履歴ファイル（SQLite）。既定は設定ファイルの [store] path、なければ ~/.local/share/bedboard/history.sqlite3' -r -F
complete -c bedboard -n "__fish_bedboard_using_subcommand poll" -l prefecture -d 'この都道府県の行だけを保存する（名前か番号）' -r
complete -c bedboard -n "__fish_bedboard_using_subcommand poll" -l format -d '取得するデータの形式' -r -f -a "auto\t'自動判定'
csv\t'CSV'
json\t'JSON（行）'
report\t'レポート JSON'"
complete -c bedboard -n "__fish_bedboard_using_subcommand poll" -l encoding -d '入力の文字コード（既定 auto）' -r -f -a "auto\t''
sjis\t''
utf8\t''"
complete -c bedboard -n "__fish_bedboard_using_subcommand poll" -l master -d '医療機関マスタ（CSV のパスか URL）' -r
complete -c bedboard -n "__fish_bedboard_using_subcommand poll" -l municipalities -d '自治体マスタ（CSV のパスか URL）' -r
complete -c bedboard -n "__fish_bedboard_using_subcommand poll" -s h -l help -d 'ヘルプを表示する（--help で詳しく）'
complete -c bedboard -n "__fish_bedboard_using_subcommand completions" -s h -l help -d 'ヘルプを表示する'
complete -c bedboard -n "__fish_bedboard_using_subcommand help; and not __fish_seen_subcommand_from print export demo-feed registration-form status poll completions help" -f -a "print" -d '表を標準出力に書き出す（ダム端末・cron・メール向け）'
complete -c bedboard -n "__fish_bedboard_using_subcommand help; and not __fish_seen_subcommand_from print export demo-feed registration-form status poll completions help" -f -a "export" -d '書き出す: 「詳細のみ」CSV（Shift-JIS・UTF-8）か「フォーマット済みレポート」（.xlsx）'
complete -c bedboard -n "__fish_bedboard_using_subcommand help; and not __fish_seen_subcommand_from print export demo-feed registration-form status poll completions help" -f -a "demo-feed" -d 'デモ用のフィードを HTTP で配信する（数秒ごとに数件の数値が変わる）'
complete -c bedboard -n "__fish_bedboard_using_subcommand help; and not __fish_seen_subcommand_from print export demo-feed registration-form status poll completions help" -f -a "registration-form" -d '別添1「消防ユーザ登録情報」の行を設定ファイルの [profile] から CP932 の CSV に書く'
complete -c bedboard -n "__fish_bedboard_using_subcommand help; and not __fish_seen_subcommand_from print export demo-feed registration-form status poll completions help" -f -a "status" -d '履歴ファイルの状態を表示する（監視用。終了コード 0 正常・1 警告・2 危険）'
complete -c bedboard -n "__fish_bedboard_using_subcommand help; and not __fish_seen_subcommand_from print export demo-feed registration-form status poll completions help" -f -a "poll" -d '画面なしで取得し続ける（常駐用。同じ履歴ファイルのダッシュボードはこの取得を表示する）'
complete -c bedboard -n "__fish_bedboard_using_subcommand help; and not __fish_seen_subcommand_from print export demo-feed registration-form status poll completions help" -f -a "completions" -d 'シェルの補完スクリプトを標準出力に書き出す（bash・zsh・fish）'
complete -c bedboard -n "__fish_bedboard_using_subcommand help; and not __fish_seen_subcommand_from print export demo-feed registration-form status poll completions help" -f -a "help" -d 'このヘルプか、指定したコマンドのヘルプを表示する'
