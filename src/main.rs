fn main() -> std::process::ExitCode {
    bedboard::cli::main()
}
