//! The network: nothing outside the sandbox is reachable (not the internet, not the host's own loopback), while
//! the sandbox's private loopback works, on privileged ports too (lessons run nginx on 80 and 443).

use std::net::TcpListener;

use crate::support::{bounded, run, sandbox};

#[test]
fn the_hosts_loopback_services_are_unreachable() {
    bounded(|| {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let mut sandbox = sandbox();
        let outcome = run(
            &mut sandbox,
            &format!("exec 3<>/dev/tcp/127.0.0.1/{port} && echo connected"),
        );
        assert!(
            !outcome.output_lossy().contains("connected"),
            "{}",
            outcome.output_lossy()
        );
        assert!(
            listener.accept().is_err(),
            "the host listener received a connection from the sandbox"
        );
    });
}

#[test]
fn the_internet_is_unreachable() {
    bounded(|| {
        let mut sandbox = sandbox();
        let outcome = run(
            &mut sandbox,
            "(exec 3<>/dev/tcp/1.1.1.1/80) 2>&1 | head -c 300; (exec 3<>/dev/udp/8.8.8.8/53 && echo x >&3) 2>&1 | head -c 300; \
             ls /sys/class/net",
        );
        let text = outcome.output_lossy();
        assert!(
            text.contains("Network is unreachable") || text.contains("Permission denied"),
            "{text}"
        );
        assert_eq!(
            text.lines().last().unwrap_or(""),
            "lo",
            "only the loopback is visible: {text}"
        );
    });
}

#[test]
fn the_private_loopback_serves_privileged_ports() {
    bounded(|| {
        if !std::path::Path::new("/usr/bin/perl").exists() {
            eprintln!("skipped: perl is needed to run a server inside");
            return;
        }
        let mut sandbox = sandbox();
        let server = "perl -MIO::Socket::INET -e '$s = IO::Socket::INET->new(LocalAddr => \"127.0.0.1:80\", Listen => 1, ReuseAddr => 1) \
                      or die \"bind: $!\\n\"; print \"listening\\n\"; $c = $s->accept; print $c \"hello from inside\\n\"; close $c'";
        let line = format!(
            "{server} & for i in $(seq 100); do exec 3<>/dev/tcp/127.0.0.1/80 2>/dev/null && break; sleep 0.05; done; cat <&3"
        );
        let outcome = run(&mut sandbox, &line);
        assert!(
            outcome.output_lossy().contains("hello from inside"),
            "{}",
            outcome.output_lossy()
        );
    });
}
