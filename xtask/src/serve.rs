//! A static file server for the built site.

use std::path::{Component, Path, PathBuf};
use std::thread;

use tiny_http::{Header, Response, Server, StatusCode};

/// `cargo xtask serve`: set up, build, serve until interrupted.
pub(crate) fn serve_command(port: u16) -> Result<(), String> {
    crate::setup::ensure_build_tools()?;
    let site = crate::site::build_site()?;
    let server = Server::http(("127.0.0.1", port))
        .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?;
    println!("\n  rill playground: http://127.0.0.1:{port}/\n  (Ctrl-C to stop)\n");
    handle_requests(&server, &site, false);
    Ok(())
}

/// Serves `site` on a free loopback port in a background thread; returns the base URL.
/// `isolated` adds COOP/COEP headers: the page is cross-origin isolated, so `performance.now()`
/// has 5 µs rather than 100 µs resolution (the benchmarks want that).
pub(crate) fn serve_in_background(site: PathBuf, isolated: bool) -> Result<String, String> {
    let server =
        Server::http("127.0.0.1:0").map_err(|e| format!("cannot listen on loopback: {e}"))?;
    let addr = server
        .server_addr()
        .to_ip()
        .ok_or("server has no IP address")?;
    thread::spawn(move || handle_requests(&server, &site, isolated));
    Ok(format!("http://{addr}/"))
}

fn handle_requests(server: &Server, site: &Path, isolated: bool) {
    for request in server.incoming_requests() {
        let mut response = match resolve(site, request.url()) {
            Some(path) => match std::fs::read(&path) {
                Ok(bytes) => {
                    let content_type = content_type(&path);
                    let mut response = Response::from_data(bytes)
                        .with_header(header("Content-Type", content_type))
                        .with_header(header("Cache-Control", "no-cache"))
                        // A public static site: pages elsewhere import `rill-demo.js` (a module
                        // script, fetched in CORS mode) and its wasm.
                        .with_header(header("Access-Control-Allow-Origin", "*"));
                    if content_type.starts_with("text/html") {
                        response.add_header(header(
                            "Content-Security-Policy",
                            crate::docs::CONTENT_SECURITY_POLICY,
                        ));
                    }
                    response
                }
                Err(_) => not_found(),
            },
            None => not_found(),
        };
        if isolated {
            response.add_header(header("Cross-Origin-Opener-Policy", "same-origin"));
            response.add_header(header("Cross-Origin-Embedder-Policy", "require-corp"));
        }
        let _ = request.respond(response);
    }
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes())
        .expect("static header names and values are valid")
}

fn not_found() -> Response<std::io::Cursor<Vec<u8>>> {
    Response::from_string("not found").with_status_code(StatusCode(404))
}

/// Maps a URL path to a file under `site`, refusing anything that would leave it.
fn resolve(site: &Path, url: &str) -> Option<PathBuf> {
    let path = url.split(['?', '#']).next().unwrap_or("/");
    let relative = Path::new(path.trim_start_matches('/'));
    if relative
        .components()
        .any(|c| !matches!(c, Component::Normal(_)))
    {
        return None;
    }
    let mut full = site.join(relative);
    if full.is_dir() {
        full.push("index.html");
    }
    full.is_file().then_some(full)
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css; charset=utf-8",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("rill" | "txt" | "md") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::docs::CONTENT_SECURITY_POLICY;

    #[test]
    fn paths_cannot_escape_the_site() {
        let site = crate::root().join("static");
        assert_eq!(resolve(&site, "/"), Some(site.join("index.html")));
        assert_eq!(
            resolve(&site, "/style.css?v=1"),
            Some(site.join("style.css"))
        );
        assert_eq!(resolve(&site, "/../Cargo.toml"), None);
        assert_eq!(resolve(&site, "/nope.html"), None);
    }

    #[test]
    fn every_static_page_carries_the_served_policy_and_no_inline_script() {
        let static_dir = crate::root().join("static");
        let mut pages = 0;
        for entry in std::fs::read_dir(&static_dir).expect("static/").flatten() {
            let path = entry.path();
            if path.extension().and_then(|e| e.to_str()) != Some("html") {
                continue;
            }
            pages += 1;
            let html = std::fs::read_to_string(&path).expect("a static page");
            let meta = format!(
                "<meta http-equiv=\"Content-Security-Policy\" content=\"{CONTENT_SECURITY_POLICY}\">"
            );
            assert!(html.contains(&meta), "{} must carry {meta}", path.display());
            for script in html.split("<script").skip(1) {
                let tag = script.split('>').next().unwrap_or("");
                assert!(
                    tag.contains("src="),
                    "{}: inline <script{tag}> (the policy refuses it; use a file)",
                    path.display()
                );
            }
            assert!(
                html.contains("rel=\"icon\""),
                "{} must link its icon",
                path.display()
            );
        }
        assert!(pages > 0, "static/ has pages");
    }

    #[test]
    fn wasm_is_served_as_application_wasm() {
        assert_eq!(content_type(Path::new("a/b_bg.wasm")), "application/wasm");
        assert_eq!(
            content_type(Path::new("x.js")),
            "text/javascript; charset=utf-8"
        );
    }
}
