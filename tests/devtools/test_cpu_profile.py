"""Tests of devtools/cpu-profile's parsing and grouping; they need neither perf nor a server."""

from devtool_scripts import load

cp = load("cpu-profile")


def test_setups_name_a_binary_auth_and_settings():
    s = cp.parse_setup("auth=/bin/new,auth=builtin,throttling_enabled=false", "/bin/default")
    assert s == {"label": "auth", "bin": "/bin/new", "auth": "builtin",
                 "settings": {"throttling_enabled": "false"}}
    assert cp.parse_setup("none=", "/bin/default") == {
        "label": "none", "bin": "/bin/default", "auth": "none", "settings": {}}
    assert cp.parse_setup("b=,auth=builtin", "/bin/d")["bin"] == "/bin/d"


def test_report_lines_become_samples_by_symbol_and_space():
    text = """# Samples: 3K of event 'cpu-clock'
#
   790  [k] _raw_spin_unlock_irqrestore
   645  [.] __memmove_avx512_unaligned_erms
    12  [.] <extenddb_auth_builtin::provider::BuiltinAuth as extenddb_core::traits::auth::AuthProvider>::authenticate::{{closure}}
     3  [.] __memmove_avx512_unaligned_erms
"""
    found = cp.parse_report(text)
    assert found[(True, "_raw_spin_unlock_irqrestore")] == 790
    assert found[(False, "__memmove_avx512_unaligned_erms")] == 648
    assert len(found) == 3


def test_symbols_fall_into_groups():
    assert cp.group_of((True, "tcp_sendmsg")) == "kernel"
    assert cp.group_of((False, "sha2::sha256::x86::digest_blocks")) == "sha256"
    assert cp.group_of((False, "ring_core_0_17_14__sha256_block_data_order_hw")) == "sha256"
    assert cp.group_of((False, "extenddb_auth_builtin::sigv4::parse::parse_found")) == "auth provider"
    assert cp.group_of((False, "extenddb_core::traits::sigv4_text::credential_scope")) == "auth provider"
    assert cp.group_of((False, "_mi_page_malloc_zero")) == "allocator"
    assert cp.group_of((False, "__memcmp_evex_movbe")) == "memory copies"
    assert cp.group_of((False, "hyper::proto::h1::role::Server::parse")) == "other"
