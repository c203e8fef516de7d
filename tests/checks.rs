//! Checks on captured command output: each check passes on a sound pair and fails on its fault,
//! read from hand-made bundles in the collector's layout (JSON and plain `ip` forms).

use serde_json::Value;

use crate::support::{BundleBuilder, analyze, testdata_bundle};

const CONFIG: &str = "vrrp_instance esc_ha {\n state BACKUP\n interface eth0\n virtual_router_id 137\n priority 101\n advert_int 1\n authentication {\n auth_type PASS\n auth_pass cisco123\n }\n virtual_ipaddress {\n 10.85.103.137/24 dev eth0\n }\n}\n";

fn checks(bundle: &std::path::Path) -> Vec<Value> {
    let run = analyze(bundle, &[]);
    run.json()["checks"].as_array().unwrap().clone()
}

fn status(checks: &[Value], id: &str, node: Option<&str>) -> Vec<String> {
    checks
        .iter()
        .filter(|check| check["id"] == id && node.is_none_or(|node| check["node"] == node))
        .map(|check| {
            format!(
                "{} {}",
                check["status"].as_str().unwrap(),
                check["detail"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn a_sound_lab_pair_passes_and_a_missing_capture_is_skipped() {
    let checks = checks(&testdata_bundle("lab-healthy"));
    for id in [
        "address-on-kad-vif",
        "vip-single-owner",
        "vip-in-subnet",
        "default-route",
        "gateway-reachable",
        "peer-reachable",
        "keepalived-config-agree",
        "disk-space",
        "clock-sync",
    ] {
        let results = status(&checks, id, None);
        assert!(
            !results.is_empty() && results.iter().all(|result| result.starts_with("pass")),
            "{id}: {results:?}"
        );
    }
    let skipped = status(&checks, "esc-services", None);
    assert!(
        skipped
            .iter()
            .all(|result| result.starts_with("skipped no `escadm status --v` capture")),
        "{skipped:?}"
    );
}

#[test]
fn each_fault_fails_its_check() {
    let both_hold_the_vip = "2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 state UP\n    inet 10.85.103.13X/24 scope global eth0\n    inet 10.85.103.137/24 scope global secondary eth0\n";
    let bundle = BundleBuilder::new()
        .file("esc-ha-0", "etc/keepalived/keepalived.conf", CONFIG)
        .file("esc-ha-1", "etc/keepalived/keepalived.conf", CONFIG.replace("virtual_router_id 137", "virtual_router_id 51"))
        .file("esc-ha-0", "commands/ip_addr.txt", both_hold_the_vip.replace("13X", "135"))
        .file("esc-ha-1", "commands/ip_addr.txt", both_hold_the_vip.replace("13X", "136"))
        .file("esc-ha-0", "commands/ip_route.txt", "10.85.103.0/24 dev eth0 proto kernel scope link src 10.85.103.135\n")
        .file("esc-ha-1", "commands/ip_route.txt", "default via 10.85.103.1 dev eth0\n")
        .file("esc-ha-1", "commands/ping_gateway.txt", "PING 10.85.103.1 (10.85.103.1) 56(84) bytes of data.\n\n--- 10.85.103.1 ping statistics ---\n3 packets transmitted, 0 received, 100% packet loss, time 2040ms\n----- stderr -----\n")
        .file("esc-ha-0", "commands/df.txt", "Filesystem 1024-blocks Used Available Capacity Mounted on\n/dev/vda1 100 97 3 97% /var/log\n")
        .file("esc-ha-1", "var/log/esc/escmanager.log", "2026-11-25 10:00:00,000 ERROR [com.cisco.esc.db.Writer] [main] java.io.IOException: No space left on device\n")
        .file("esc-ha-0", "commands/escadm_op_mode_show.txt", "Operation Mode = MAINTENANCE\n")
        .file("esc-ha-1", "commands/escadm_status.txt", "1 ESC status=1 ESC Standby Unhealthy\nconfd    running\npgsql    stopped\n")
        .file("esc-ha-1", "commands/chronyc_tracking.txt", "Reference ID    : 00000000 ()\nLeap status     : Not synchronised\n")
        .file("esc-ha-1", "commands/proc_drbd.txt", " 1: cs:WFConnection ro:Secondary/Unknown ds:UpToDate/DUnknown C r-----\n");
    let checks = checks(bundle.path());
    let fails = |id: &str, node: Option<&str>| {
        let results = status(&checks, id, node);
        assert!(
            results.iter().any(|result| result.starts_with("fail")),
            "{id} {node:?}: {results:?}"
        );
    };
    fails("vip-single-owner", None);
    fails("keepalived-config-agree", None);
    fails("default-route", Some("esc-ha-0"));
    fails("gateway-reachable", Some("esc-ha-1"));
    fails("disk-space", Some("esc-ha-0"));
    fails("disk-space", Some("esc-ha-1"));
    fails("esc-services", Some("esc-ha-1"));
    fails("clock-sync", Some("esc-ha-1"));
    fails("drbd-connected", Some("esc-ha-1"));
    assert!(
        status(&checks, "maintenance-mode", Some("esc-ha-0"))[0].starts_with("warn"),
        "{checks:?}"
    );
    assert!(status(&checks, "vip-single-owner", None)[0].contains("esc-ha-0 and esc-ha-1 at once"));
    assert!(
        status(&checks, "keepalived-config-agree", None)[0]
            .contains("vrid: esc-ha-0 137 / esc-ha-1 51")
    );
}

#[test]
fn a_gateway_that_stops_answering_in_the_lab_degrades_the_verdict() {
    let run = analyze(&testdata_bundle("lab-gateway-unreachable"), &[]);
    let report = run.json();
    assert_eq!(report["verdict"]["status"], "degraded");
    assert!(
        report["verdict"]["headline"]
            .as_str()
            .unwrap()
            .contains("gateway-reachable")
    );
    assert_eq!(
        run.code, 1,
        "a failed check counts as a warning in the exit code"
    );
}
