# shellcheck shell=bash disable=SC2154,SC2016 # lib.sh sets status, stdout, ...; $x in jq filters is jq's
# unpack: burrow-unpack makes bundles from OCI layouts, OCI archives and
# docker save archives; the bundles run with burrow.  Images are built here
# (mkimage, a python3 tarfile script: exact owners, modes, whiteouts and
# malicious entries, no registry and no root needed).
# suite-modes: root rootless nosubuid

# --- helpers -------------------------------------------------------------------

UNPACK=$(dirname "$BURROW")/burrow-unpack

# unpack ARGS...: run burrow-unpack through capture.
unpack() {
    [ -x "$UNPACK" ] || fail "burrow-unpack not found beside burrow ($UNPACK): build it (make)"
    capture "$UNPACK" -q "$@"
}

# mkimage KIND DIR [KIND DIR]...: write the test image KIND (see the python
# below) to DIR; several in one python run.
mkimage() {
    needs_cmd python3 zstd
    [ -f "$T/mkimage.py" ] || _write_mkimage
    PAYLOAD=$PAYLOAD python3 "$T/mkimage.py" "$@" || fail "mkimage $* failed"
}

# owner_of PATH: uid:gid of PATH as the host sees it.
owner_of() {
    stat -c %u:%g "$1"
}

# expected_host_id ID [-g]: the host uid (gid) container ID gets in this mode.
expected_host_id() {
    if [ "$(id -u)" -eq 0 ]; then
        echo "$1"
    elif [ "$1" -eq 0 ]; then
        id "${2:--u}"
    else
        subuid_range
        echo $((subuid_start + $1 - 1))
    fi
}

# assert_no_bundle DIR: DIR does not exist, nor a temporary directory beside it.
assert_no_bundle() {
    assert_file_missing "$1"
    local left
    left=$(find "$(dirname "$1")" -maxdepth 1 -name ".$(basename "$1").unpack-*" | head -n 1)
    [ -z "$left" ] || fail "temporary directory left behind: $left"
}

# in_mapping CMD...: run CMD where the unpacked owners are mapped (rootless
# with a range: a user namespace with burrow's mapping, through util-linux
# unshare and newuidmap), as it is otherwise.
in_mapping() {
    if [ "$(id -u)" -ne 0 ] && [ "$BW_MODE" = rootless ]; then
        unshare --map-root-user --map-users=auto --map-groups=auto "$@"
    else
        "$@"
    fi
}

# tree DIR: one line per file under DIR: type, mode, relative path, link target, and
# the content's sha256 for regular files.
tree() {
    (cd "$1" && find . -mindepth 1 -printf '%y %m %p %l\n' | sort -k3 | while read -r y m p l; do
        if [ "$y" = f ]; then
            printf '%s %s %s %s\n' "$y" "$m" "$p" "$(sha256sum <"$p" | cut -c1-16)"
        else
            printf '%s %s %s %s\n' "$y" "$m" "$p" "$l"
        fi
    done)
}

_write_mkimage() {
    cat >"$T/mkimage.py" <<'PY'
import hashlib, io, json, os, struct, sys, tarfile, gzip, subprocess, shutil

def tarbytes(entries):
    """entries: list of dicts name,type,data,mode,uid,gid,link,xattrs"""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for e in entries:
            ti = tarfile.TarInfo(e["name"])
            ti.mode = e.get("mode", 0o644)
            ti.uid = e.get("uid", 0); ti.gid = e.get("gid", 0)
            ti.mtime = e.get("mtime", 1600000000)
            typ = e.get("type", "file")
            data = e.get("data", b"")
            if typ == "dir": ti.type = tarfile.DIRTYPE; ti.mode = e.get("mode", 0o755)
            elif typ == "symlink": ti.type = tarfile.SYMTYPE; ti.linkname = e["link"]; ti.mode = 0o777
            elif typ == "hardlink": ti.type = tarfile.LNKTYPE; ti.linkname = e["link"]
            elif typ == "chr": ti.type = tarfile.CHRTYPE; ti.devmajor = 1; ti.devminor = 3
            elif typ == "fifo": ti.type = tarfile.FIFOTYPE
            if "xattrs" in e:
                ti.pax_headers = {"SCHILY.xattr." + k: v for k, v in e["xattrs"].items()}
            if typ == "file":
                ti.size = len(data)
                t.addfile(ti, io.BytesIO(data))
            else:
                t.addfile(ti)
    return buf.getvalue()

def compress(raw, how):
    if how == "gzip": return gzip.compress(raw, 6, mtime=0)
    if how == "zstd": return subprocess.run(["zstd", "-q", "-c"], input=raw, stdout=subprocess.PIPE, check=True).stdout
    return raw

MT = {"gzip": "application/vnd.oci.image.layer.v1.tar+gzip", "zstd": "application/vnd.oci.image.layer.v1.tar+zstd",
      "none": "application/vnd.oci.image.layer.v1.tar"}

def put_blob(out, data):
    h = hashlib.sha256(data).hexdigest()
    os.makedirs(out + "/blobs/sha256", exist_ok=True)
    with open(out + "/blobs/sha256/" + h, "wb") as f: f.write(data)
    return {"digest": "sha256:" + h, "size": len(data)}

def image(out, layers, config, arch="amd64", ref=None):
    """layers: list of (entries, compression). Returns manifest descriptor."""
    descs, diffs = [], []
    for entries, how in layers:
        raw = tarbytes(entries)
        diffs.append("sha256:" + hashlib.sha256(raw).hexdigest())
        d = put_blob(out, compress(raw, how)); d["mediaType"] = MT[how]; descs.append(d)
    cfg = {"architecture": arch, "os": "linux", "config": config,
           "rootfs": {"type": "layers", "diff_ids": diffs}, "created": "2024-01-02T03:04:05Z", "author": "burrow tests"}
    c = put_blob(out, json.dumps(cfg).encode()); c["mediaType"] = "application/vnd.oci.image.config.v1+json"
    m = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json", "config": c, "layers": descs}
    md = put_blob(out, json.dumps(m).encode()); md["mediaType"] = m["mediaType"]
    md["platform"] = {"os": "linux", "architecture": arch}
    if ref: md["annotations"] = {"org.opencontainers.image.ref.name": ref}
    return md, cfg, descs

def write_index(out, manifests):
    with open(out + "/oci-layout", "w") as f: json.dump({"imageLayoutVersion": "1.0.0"}, f)
    with open(out + "/index.json", "w") as f:
        json.dump({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": manifests}, f)

def payload():
    with open(os.environ["PAYLOAD"], "rb") as f: return f.read()

PASSWD = b"root:x:0:0:root:/root:/bin/sh\nwww-data:x:33:33:www:/var/www:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n"
GROUP = b"root:x:0:\nwww-data:x:33:\napp:x:1000:\nextra:x:2000:app,www-data\n"

def basic_layers(owners=True):
    o = (lambda u: u) if owners else (lambda u: 0)
    l1 = [
        {"name": "bin", "type": "dir"}, {"name": "bin/payload", "data": payload(), "mode": 0o755},
        {"name": "etc", "type": "dir"}, {"name": "etc/passwd", "data": PASSWD}, {"name": "etc/group", "data": GROUP},
        {"name": "home", "type": "dir"}, {"name": "home/app", "type": "dir", "uid": o(1000), "gid": o(1000)},
        {"name": "priv", "type": "dir", "mode": 0o700}, {"name": "priv/f", "data": b"p\n", "mode": 0o400},
        {"name": "home/app/notes", "data": b"notes\n", "uid": o(1000), "gid": o(1000), "mode": 0o600},
        {"name": "var/www", "type": "dir", "uid": o(33), "gid": o(33)},
        {"name": "var/www/index.html", "data": b"<p>hi</p>\n", "uid": o(33), "gid": o(33)},
        {"name": "run", "type": "dir"}, {"name": "var/run", "type": "symlink", "link": "/run"},
        {"name": "usr/bin/su", "data": b"#!/bin/sh\n", "mode": 0o4755},
        {"name": "data", "type": "dir"}, {"name": "data/a", "data": b"a1\n"}, {"name": "data/b", "data": b"b1\n"},
        {"name": "data/c", "data": b"c1\n"}, {"name": "lnk", "type": "symlink", "link": "data/a"},
        {"name": "opq", "type": "dir"}, {"name": "opq/x", "data": b"x\n"}, {"name": "opq/sub/y", "data": b"y\n"},
        {"name": "gone", "data": b"gone\n"}, {"name": "gonedir/f", "data": b"f\n"},
        {"name": "fifo", "type": "fifo"},
        # file capabilities (VFS v2: effective, permitted CAP_NET_RAW)
        {"name": "bin/ping", "data": b"ping\n", "mode": 0o755,
         "xattrs": {"security.capability": struct.pack("<IIIII", 0x02000001, 1 << 13, 0, 0, 0).decode("utf-8", "surrogateescape")}},
    ]
    l2 = [
        {"name": ".wh.gone"}, {"name": ".wh.gonedir"},
        {"name": "opq/.wh..wh..opq"}, {"name": "opq/z", "data": b"z\n"},
        {"name": "data/hl", "type": "hardlink", "link": "data/a"},
        {"name": "var/run/pidfile", "data": b"42\n"},
        {"name": "dev/null", "type": "chr", "mode": 0o666},
    ]
    l3 = [
        {"name": "data/b", "data": b"b3\n"}, {"name": "data/.wh.c"},
        {"name": "data/x", "data": b"xattr\n", "xattrs": {"user.burrow": "yes"}},
        {"name": "new/.wh.nothing"}, {"name": "new/kept", "data": b"k\n"},
    ]
    return [(l1, "gzip"), (l2, "none"), (l3, "gzip" if os.environ.get("MKIMAGE_NO_ZSTD") else "zstd")]

CONFIG = {"Entrypoint": ["/bin/payload"], "Cmd": ["ids", "--", "env", "--", "cwd"],
          "Env": ["PATH=/bin:/usr/bin", "FOO=bar baz"], "WorkingDir": "/home/app", "User": "app",
          "Labels": {"org.example.l": "v", "org.opencontainers.image.author": "label wins"},
          "ExposedPorts": {"80/tcp": {}, "53/udp": {}}, "StopSignal": "SIGQUIT"}

def main():
    for i in range(1, len(sys.argv) - 1, 2):
        make(sys.argv[i], sys.argv[i + 1])

def make(kind, out):
    os.makedirs(out, exist_ok=True)
    if kind == "basic":
        md, _, _ = image(out, basic_layers(), CONFIG, ref="v1")
        write_index(out, [md])
    elif kind == "basic-noowners":
        md, _, _ = image(out, basic_layers(False), CONFIG, ref="v1")
        write_index(out, [md])
    elif kind == "platforms":
        ms = []
        for arch in ("amd64", "arm64"):
            md, _, _ = image(out, [([{"name": "bin/payload", "data": payload(), "mode": 0o755},
                                    {"name": "platform", "data": arch.encode() + b"\n"}], "gzip")],
                             {"Cmd": ["/bin/payload", "cat", "/platform"]}, arch=arch)
            ms.append(md)
        write_index(out, ms)
    elif kind == "big":
        md, _, _ = image(out, [([{"name": "big", "data": bytes(17 << 20)}], "none")], {"Cmd": ["/big"]})
        write_index(out, [md])
    elif kind == "docker":
        # docker save (legacy layout): HEX/layer.tar, HEX.json, manifest.json
        layers, diffs = [], []
        for entries, _ in basic_layers(False):
            raw = tarbytes(entries); h = hashlib.sha256(raw).hexdigest()
            os.makedirs(out + "/" + h, exist_ok=True)
            with open(out + "/" + h + "/layer.tar", "wb") as f: f.write(raw)
            layers.append(h + "/layer.tar"); diffs.append("sha256:" + h)
        cfg = json.dumps({"architecture": "amd64", "os": "linux", "config": CONFIG,
                          "rootfs": {"type": "layers", "diff_ids": diffs}}).encode()
        ch = hashlib.sha256(cfg).hexdigest()
        with open(out + "/" + ch + ".json", "wb") as f: f.write(cfg)
        with open(out + "/manifest.json", "w") as f:
            json.dump([{"Config": ch + ".json", "RepoTags": ["example/basic:v1"], "Layers": layers}], f)
    elif kind == "replace-deep":
        # a later layer replaces a symlink and a directory below the root
        md, _, _ = image(out, [([{"name": "a", "type": "dir"}, {"name": "a/x", "type": "symlink", "link": "y"},
                                 {"name": "a/d/f", "data": b"f\n"}], "gzip"),
                               ([{"name": "a", "type": "dir"}, {"name": "a/x", "data": b"file\n"},
                                 {"name": "a/d", "data": b"now a file\n"}, {"name": "a/z", "data": b"z\n"}], "gzip")],
                         {"Cmd": ["/a/x"]})
        write_index(out, [md])
    elif kind == "labels":
        md, _, _ = image(out, [([{"name": "ok", "data": b"ok\n"}], "gzip")],
                         {"Cmd": ["/ok"], "Labels": {"org.burrow.network": "slirp4netns",
                                                     "org.burrow.rootfs.lowerdirs": "/etc", "org.example.kept": "yes"}})
        write_index(out, [md])
    elif kind == "lower-fifo":
        md, _, _ = image(out, [([{"name": "p", "type": "fifo"}], "gzip"),
                               ([{"name": "q", "type": "hardlink", "link": "p"}], "gzip")], {"Cmd": ["/p"]})
        write_index(out, [md])
    elif kind.startswith("evil-"):
        bad = {
            "evil-dotwh": [{"name": "a/.wh..."}],
            "evil-dotdot": [{"name": "../../canary", "data": b"pwned\n"}],
            "evil-abs": [{"name": "/tmp/burrow-unpack-abs-canary", "data": b"pwned\n"}],
            "evil-symlink": [{"name": "esc", "type": "symlink", "link": "../../../../../../../../" + os.environ["CANARY_DIR"].lstrip("/")},
                              {"name": "esc/canary", "data": b"pwned\n"}],
            "evil-hardlink": [{"name": "hl", "type": "hardlink", "link": "../../canary"}],
            "evil-whiteout": [{"name": "../../.wh.canary"}],
            "evil-symlink-whiteout": [{"name": "esc", "type": "symlink", "link": "../../../../../../../../" + os.environ["CANARY_DIR"].lstrip("/")},
                                       {"name": "esc/.wh.canary"}],
            "evil-replace": [{"name": "x", "type": "symlink", "link": "../../canary"}, {"name": "x", "data": b"pwned\n"}],
            "evil-symlink-hardlink": [{"name": "esc", "type": "symlink", "link": "../../../../../../../../" + os.environ["CANARY_DIR"].lstrip("/")},
                                       {"name": "hl", "type": "hardlink", "link": "esc/canary"}],
        }[kind]
        md, _, _ = image(out, [([{"name": "ok", "data": b"ok\n"}], "gzip"), (bad, "gzip")], {"Cmd": ["/ok"]})
        write_index(out, [md])
    elif kind in ("bad-digest", "truncated-gzip", "missing-blob", "bad-mediatype", "bad-manifest", "bad-size"):
        big = bytes(range(256)) * 800
        small = [([{"name": "f", "data": big}, {"name": "g", "data": b"g\n"}], "gzip"), ([{"name": "h", "data": b"h\n"}], "none")]
        md, _, descs = image(out, small, CONFIG)
        lp = out + "/blobs/sha256/" + descs[0]["digest"][7:]
        data = open(lp, "rb").read()
        if kind == "bad-digest":
            data = bytearray(data); data[len(data) // 2] ^= 0xff
            open(lp, "wb").write(bytes(data))
        elif kind == "bad-size":
            open(lp, "ab").write(b"\0" * 10)
        elif kind == "missing-blob":
            os.unlink(lp)
        elif kind in ("truncated-gzip", "bad-mediatype", "bad-manifest"):
            m = json.loads(open(out + "/blobs/sha256/" + md["digest"][7:]).read())
            os.unlink(out + "/blobs/sha256/" + md["digest"][7:])
            if kind == "truncated-gzip":
                os.unlink(lp)
                d = put_blob(out, data[: len(data) // 2]); d["mediaType"] = MT["gzip"]; m["layers"][0] = d
            elif kind == "bad-mediatype":
                m["layers"][0]["mediaType"] = "application/x-unknown"
            else:
                del m["config"]
            nd = put_blob(out, json.dumps(m).encode()); nd["mediaType"] = md["mediaType"]; md = nd
        write_index(out, [md])
    else:
        sys.exit("unknown image kind " + kind)

main()
PY
}

# --- a layout -----------------------------------------------------------------------

# A layout: the rootfs (layers, whiteouts, owners, modes) and config.json.
test_layout() {
    mkimage basic "$T/img"
    unpack "$T/img:v1" "$T/b"
    assert_success
    local r=$T/b/rootfs
    # whiteouts: a file, a directory, a file of a lower layer; opaque dir
    assert_file_missing "$r/gone"
    assert_file_missing "$r/gonedir"
    assert_file_missing "$r/data/c"
    assert_file_missing "$r/opq/x"
    assert_file_missing "$r/opq/sub"
    assert_eq "$(cat "$r/opq/z")" z "opq/z (same layer as the opaque whiteout)"
    assert_eq "$(cat "$r/new/kept")" k "new/kept (same layer as a whiteout of a missing file)"
    assert_eq "$(cat "$r/data/b")" b3 "data/b replaced by layer 3"
    # a hard link to a file of a lower layer; symlinks; setuid; a fifo
    assert_eq "$(stat -c %i "$r/data/hl")" "$(stat -c %i "$r/data/a")" "data/hl is a hard link of data/a"
    assert_eq "$(readlink "$r/lnk")" data/a "lnk target"
    assert_eq "$(readlink "$r/var/run")" /run "var/run target"
    # written through the absolute symlink var/run -> /run, inside the rootfs
    assert_eq "$(cat "$r/run/pidfile")" 42 "run/pidfile"
    assert_eq "$(stat -c %a "$r/usr/bin/su")" 4755 "setuid mode of usr/bin/su"
    assert_eq "$(stat -c %a "$r/priv")" 700 "mode of priv"
    assert_eq "$(stat -c %a "$r/priv/f")" 400 "mode of priv/f"
    assert_eq "$(stat -c %F "$r/fifo")" fifo "fifo type"
    assert_eq "$(stat -c %Y "$r/data/a")" 1600000000 "mtime of data/a"
    assert_eq "$(stat -c %Y "$r/bin")" 1600000000 "mtime of directory bin (written into after it)"
    # owners: as they are as root; through burrow's mapping rootless
    assert_eq "$(owner_of "$r/etc/passwd")" "$(expected_host_id 0):$(expected_host_id 0 -g)" "owner of etc/passwd"
    if [ "$BW_MODE" = nosubuid ]; then
        assert_eq "$(owner_of "$r/var/www/index.html")" "$(id -u):$(id -g)" "owner of var/www/index.html (unmapped)"
        assert_stderr_contains "files kept your own id as owner"
    else
        assert_eq "$(owner_of "$r/var/www/index.html")" "$(expected_host_id 33):$(expected_host_id 33)" "owner of var/www/index.html"
        assert_eq "$(owner_of "$r/home/app/notes")" "$(expected_host_id 1000):$(expected_host_id 1000)" "owner of home/app/notes"
    fi
    # a device node: made as root, skipped with one warning rootless
    if [ "$(id -u)" -eq 0 ]; then
        assert_eq "$(stat -c '%F %t:%T' "$r/dev/null")" "character special file 1:3" "dev/null"
    else
        assert_file_missing "$r/dev/null"
        assert_stderr_contains "1 device nodes skipped"
    fi
    # security.capability (written in the user namespace rootless: the
    # kernel stores it as v3 with that namespace's root)
    assert_eq "$(python3 -c 'import os,struct,sys; m,p=struct.unpack("<II", os.getxattr(sys.argv[1], "security.capability")[:8]); print(m >> 24, p)' "$r/bin/ping")" "$([ "$(id -u)" -eq 0 ] && echo 2 || echo 3) 8192" "security.capability of bin/ping (version, permitted)"
    # a user.* xattr, where the filesystem takes it
    local x
    x=$(python3 -c 'import os,sys; print(os.getxattr(sys.argv[1], "user.burrow").decode())' "$r/data/x" 2>/dev/null || true)
    if [ "$x" != yes ]; then
        assert_stderr_contains "extended attributes could not be set"
    fi
    # config.json from the image config (image-spec conversion.md)
    local c=$T/b/config.json
    assert_eq "$(jq -c .process.args "$c")" '["/bin/payload","ids","--","env","--","cwd"]' "process.args"
    assert_eq "$(jq -c .process.env "$c")" '["PATH=/bin:/usr/bin","FOO=bar baz","TERM=xterm"]' "process.env"
    assert_eq "$(jq -r .process.cwd "$c")" /home/app "process.cwd"
    assert_eq "$(jq -c .process.user "$c")" '{"uid":1000,"gid":1000,"additionalGids":[2000]}' "process.user"
    assert_eq "$(jq -r .root.path "$c")" rootfs "root.path"
    local a
    a=$(jq -c '.annotations' "$c")
    assert_eq "$(jq -r '."org.opencontainers.image.exposedPorts"' <<<"$a")" "80/tcp,53/udp" "exposedPorts"
    assert_eq "$(jq -r '."org.opencontainers.image.stopSignal"' <<<"$a")" SIGQUIT "stopSignal"
    assert_eq "$(jq -r '."org.opencontainers.image.author"' <<<"$a")" "label wins" "a label wins over author"
    assert_eq "$(jq -r '."org.opencontainers.image.architecture"' <<<"$a")" amd64 "architecture"
    assert_eq "$(jq -r '."org.example.l"' <<<"$a")" v "a label"
    if [ "$(id -u)" -ne 0 ]; then
        assert_eq "$(jq -r '.linux.namespaces | map(.type) | index("user") != null' "$c")" true "user namespace (rootless)"
        assert_eq "$(jq -r '.linux.uidMappings[0].hostID' "$c")" "$(id -u)" "uidMappings[0].hostID"
    fi
}

# The unpacked bundle runs: the image's entrypoint, env, user and cwd are
# what the container sees.
test_layout_run() {
    [ "$BW_MODE" != nosubuid ] || skip "the image's user 1000 needs a subordinate range (test_platform_run runs a bundle in this mode)"
    mkimage basic "$T/img"
    unpack "$T/img" "$T/b"
    assert_success
    bw run --bundle "$T/b" "$CID"
    assert_success
    assert_stdout_line "uid: 1000"
    assert_stdout_line "gid: 1000"
    assert_stdout_contains "2000"
    assert_stdout_line "env: FOO=bar baz"
    assert_stdout_line "env: PATH=/bin:/usr/bin"
    assert_stdout_line "cwd: /home/app"
    assert_nothing_left "$CID"
}

# Same rootfs as `umoci unpack --rootless`: types, modes, link targets, contents.
# modes: root rootless
test_compare_umoci() {
    needs_cmd umoci
    # umoci 0.4 reads no zstd layers: every layer gzip here
    MKIMAGE_NO_ZSTD=1 mkimage basic "$T/img"
    unpack "$T/img:v1" "$T/b"
    assert_success
    capture umoci unpack --rootless --image "$T/img:v1" "$T/u"
    assert_success
    # Device nodes: umoci --rootless and burrow-unpack without root skip
    # them; burrow-unpack as root makes them.
    local ours theirs
    ours=$(in_mapping bash -c "$(declare -f tree); tree \"\$1\"" tree "$T/b/rootfs" | grep -v '^. [0-9]* \./dev/null ')
    theirs=$(tree "$T/u/rootfs" | grep -v '^. [0-9]* \./dev/null ')
    [ "$ours" = "$theirs" ] || fail "rootfs differs from umoci's: $(diff <(echo "$theirs") <(echo "$ours") | grep '^[<>]' | head -n 8 | tr '\n' ' ')"
}

# --- archives ------------------------------------------------------------------------

# A docker save archive (legacy layout: HEX/layer.tar, HEX.json, manifest.json).
test_docker_archive() {
    mkimage docker "$T/d"
    tar -C "$T/d" -cf "$T/d.tar" .
    unpack "$T/d.tar:example/basic:v1" "$T/b"
    assert_success
    assert_eq "$(cat "$T/b/rootfs/data/b")" b3 "data/b"
    assert_file_missing "$T/b/rootfs/opq/x"
    assert_eq "$(jq -r .process.cwd "$T/b/config.json")" /home/app "process.cwd"
    unpack "$T/d.tar" "$T/b2"
    assert_success
    unpack "$T/d.tar:no/such:tag" "$T/b3"
    assert_failure
    assert_stderr_contains "no image \`no/such:tag\`"
    assert_no_bundle "$T/b3"
    # a layer whose bytes do not match its diff_id
    local l
    l=$(find "$T/d" -name layer.tar | head -n 1)
    printf 'x' | dd of="$l" bs=1 seek=600 conv=notrunc status=none
    tar -C "$T/d" -cf "$T/bad.tar" .
    unpack "$T/bad.tar" "$T/b4"
    assert_failure
    assert_stderr_contains "digest mismatch"
    assert_no_bundle "$T/b4"
}

# An OCI layout in a tar archive.
test_oci_archive() {
    mkimage basic "$T/img"
    tar -C "$T/img" -cf "$T/img.tar" .
    unpack "$T/img.tar:v1" "$T/b"
    assert_success
    assert_eq "$(cat "$T/b/rootfs/new/kept")" k "new/kept"
    assert_file_missing "$T/b/.image"
}

# --- an index with two platforms -------------------------------------------------------

test_platform_run() {
    [ "$(uname -m)" = x86_64 ] || skip "the test image's default platform is amd64, this machine is $(uname -m)"
    mkimage platforms "$T/img"
    unpack "$T/img" "$T/b"
    assert_success
    assert_eq "$(cat "$T/b/rootfs/platform")" amd64 "the default platform"
    unpack --platform linux/arm64 "$T/img" "$T/arm"
    assert_success
    assert_eq "$(cat "$T/arm/rootfs/platform")" arm64 "--platform linux/arm64"
    unpack --platform linux/s390x "$T/img" "$T/none"
    assert_failure
    assert_stderr_contains "no image for linux/s390x"
    assert_stderr_contains "linux/amd64, linux/arm64"
    assert_no_bundle "$T/none"
    bw run --bundle "$T/b" "$CID"
    assert_success
    assert_stdout_eq amd64
    assert_nothing_left "$CID"
}

# --- escapes -----------------------------------------------------------------------------

# Each malicious layer is refused with the layer and the entry named, and
# nothing outside the rootfs is written.
test_escapes_refused() {
    mkdir "$T/canary-dir"
    echo original >"$T/canary-dir/canary"
    echo original >"$T/canary"
    export CANARY_DIR=$T/canary-dir
    local kind want all=(dotdot abs symlink hardlink whiteout dotwh symlink-whiteout symlink-hardlink) args=()
    for kind in "${all[@]}" replace; do
        args+=("evil-$kind" "$T/evil-$kind")
    done
    mkimage "${args[@]}"
    for kind in "${all[@]}"; do
        case $kind in
        dotdot) want="entry \`../../canary\`: \`..\` component refused" ;;
        abs) want="entry \`/tmp/burrow-unpack-abs-canary\`: absolute path refused" ;;
        symlink) want="entry \`esc/canary\`: \`esc\`: a symlink on the way points outside the rootfs" ;;
        hardlink) want="hard link target \`../../canary\`: \`..\` component refused" ;;
        whiteout) want="entry \`../../.wh.canary\`: \`..\` component refused" ;;
        symlink-whiteout) want="entry \`esc/.wh.canary\`" ;;
        symlink-hardlink) want="hard link to \`esc/canary\`" ;;
        dotwh) want="entry \`a/.wh...\`: a whiteout of \`..\` names no entry" ;;
        esac
        unpack "$T/evil-$kind" "$T/b-$kind"
        assert_failure
        assert_status 1
        assert_stderr_contains "layer 2 (sha256:"
        assert_stderr_contains "$want"
        assert_no_bundle "$T/b-$kind"
        assert_eq "$(cat "$T/canary")" original "canary after evil-$kind"
        assert_eq "$(cat "$T/canary-dir/canary")" original "canary-dir/canary after evil-$kind"
        assert_eq "$(ls -A "$T/canary-dir")" canary "canary-dir after evil-$kind"
        assert_file_missing /tmp/burrow-unpack-abs-canary
    done
    assert_stderr_contains "a symlink on the way points outside the rootfs"
    # A file over a symlink that points out replaces the symlink.
    unpack "$T/evil-replace" "$T/b-replace"
    assert_success
    assert_eq "$(cat "$T/b-replace/rootfs/x")" pwned "x replaced the symlink"
    assert_eq "$(cat "$T/canary")" original "canary after evil-replace"
}

# A later layer replaces a symlink and a directory below the rootfs's top.
test_replace_below_top() {
    mkimage replace-deep "$T/img"
    unpack "$T/img" "$T/b"
    assert_success
    assert_eq "$(stat -c %F "$T/b/rootfs/a/x")" "regular file" "a/x"
    assert_eq "$(cat "$T/b/rootfs/a/x")" file "a/x"
    assert_eq "$(cat "$T/b/rootfs/a/d")" "now a file" "a/d"
    assert_eq "$(cat "$T/b/rootfs/a/z")" z "a/z"
}

# Image labels become annotations, but not burrow's own: an image cannot
# choose the user's network, rootfs layers or cgroup strictness.
test_burrow_labels_left_out() {
    mkimage labels "$T/img"
    unpack "$T/img" "$T/b"
    assert_success
    assert_stderr_contains 'image label "org.burrow.network" left out'
    assert_stderr_contains 'image label "org.burrow.rootfs.lowerdirs" left out'
    assert_eq "$(jq -c '.annotations | with_entries(select(.key | startswith("org.burrow")))' "$T/b/config.json")" "{}" "org.burrow annotations"
    assert_eq "$(jq -r '.annotations["org.example.kept"]' "$T/b/config.json")" yes "another label"
}

# --layers: a hard link to a FIFO of a lower layer is refused, without
# waiting for a writer.
test_layers_hardlink_to_lower_fifo() {
    mkimage lower-fifo "$T/img"
    unpack --layers "$T/img" "$T/b"
    assert_failure
    assert_stderr_contains "hard link to \`p\`: not a regular file below"
    assert_no_bundle "$T/b"
}

# --- bad images ------------------------------------------------------------------------------

test_bad_blobs() {
    local kind want all=(bad-digest bad-size truncated-gzip missing-blob bad-mediatype bad-manifest) args=()
    for kind in "${all[@]}"; do
        args+=("$kind" "$T/$kind")
    done
    mkimage "${args[@]}"
    for kind in "${all[@]}"; do
        case $kind in
        bad-digest) want="layer 1 (sha256:" ;;
        bad-size) want="the manifest says" ;;
        truncated-gzip) want="truncated gzip input" ;;
        missing-blob) want="missing from" ;;
        bad-mediatype) want="unknown media type \`application/x-unknown\`" ;;
        bad-manifest) want="malformed: needs schemaVersion 2, config and layers" ;;
        esac
        unpack "$T/$kind" "$T/b-$kind"
        assert_failure
        assert_status 1
        assert_stderr_contains "$want"
        assert_no_bundle "$T/b-$kind"
        [ "$kind" != bad-digest ] || assert_stderr_contains "digest mismatch"
    done
}

test_bad_arguments() {
    mkimage platforms "$T/img"
    unpack "$T/img:nosuchtag" "$T/b"
    assert_failure
    assert_stderr_contains "no image \`nosuchtag\` in \`$T/img\` (its names: none)"
    assert_no_bundle "$T/b"
    unpack "$T/nothing-here" "$T/b"
    assert_failure
    assert_stderr_contains "image \`$T/nothing-here\`"
    mkdir -p "$T/full" && touch "$T/full/x"
    unpack "$T/img" "$T/full"
    assert_failure
    assert_stderr_contains "exists and is not empty"
    assert_eq "$(ls -A "$T/full")" x "the existing bundle is untouched"
    unpack "$T/img"
    assert_status 2
    assert_stderr_contains "expected IMAGE and BUNDLE"
    # an existing empty directory is fine
    mkdir "$T/empty"
    unpack "$T/img" "$T/empty"
    assert_success
    assert_file_exists "$T/empty/config.json"
}

# --- --layers ------------------------------------------------------------------------------------

# Each layer in its own directory, whiteouts as overlayfs reads them, and the
# overlay annotations in config.json.
# modes: root rootless
test_layers_mode() {
    mkimage basic "$T/img"
    unpack --layers "$T/img" "$T/b"
    assert_success
    local c=$T/b/config.json
    assert_eq "$(jq -r '.annotations."org.burrow.rootfs.overlay"' "$c")" auto "overlay annotation"
    assert_eq "$(jq -r '.annotations."org.burrow.rootfs.lowerdirs"' "$c")" "layers/3:layers/2:layers/1" "lowerdirs annotation"
    assert_eq "$(ls -A "$T/b/rootfs")" "" "rootfs is an empty mount point"
    assert_eq "$(stat -c '%F %t:%T' "$T/b/layers/2/gone")" "character special file 0:0" "whiteout of gone"
    assert_eq "$(cat "$T/b/layers/1/opq/x")" x "layer 1 keeps opq/x"
    assert_eq "$(cat "$T/b/layers/2/opq/z")" z "layer 2 has opq/z"
    local xa=user.overlay.opaque
    [ "$(id -u)" -ne 0 ] || xa=trusted.overlay.opaque
    assert_eq "$(python3 -c 'import os,sys; print(os.getxattr(sys.argv[1], sys.argv[2]).decode())' "$T/b/layers/2/opq" "$xa")" y "$xa of layers/2/opq"
    # the user is resolved from the layers' /etc/passwd
    assert_eq "$(jq -c .process.user.uid "$c")" 1000 "process.user.uid"

    # The bundle runs as it is, through the rootfs overlay its annotations
    # ask for: the layers merged, whiteouts and the opaque dir applied.
    [ "$BW_MODE" != nosubuid ] || return 0
    jq '.process.args = ["/bin/payload", "cat", "/opq/z", "--", "cat", "/data/b",
                         "--", "exists", "/opq/x", "--", "exists", "/gone", "--", "exists", "/data/c"]' \
        "$c" >"$c.new" && mv "$c.new" "$c"
    local before
    before=$(cd "$T/b" && find layers rootfs -printf '%p %s %T@\n' | sort)
    bw run --bundle "$T/b" "$CID"
    assert_success
    assert_stdout_line "z"
    assert_stdout_line "b3"
    assert_stdout_line "exists: /opq/x no (ENOENT)"
    assert_stdout_line "exists: /gone no (ENOENT)"
    assert_stdout_line "exists: /data/c no (ENOENT)"
    assert_eq "$(cd "$T/b" && find layers rootfs -printf '%p %s %T@\n' | sort)" "$before" "the layers after the run"
    assert_nothing_left "$CID"
}

# --- the command line ----------------------------------------------------------------------------

# `burrow unpack` runs the helper installed beside burrow.
# modes: root rootless
test_burrow_unpack_command() {
    mkimage platforms "$T/img"
    bw unpack -q --platform linux/arm64 "$T/img" "$T/b"
    assert_success
    assert_eq "$(cat "$T/b/rootfs/platform")" arm64 "platform of the bundle"
    bw unpack "$T/img"
    assert_status 2
    assert_stderr_contains "expected IMAGE and BUNDLE"
}

# A progress line on a terminal for a large layer; none without a terminal.
# modes: root rootless
test_progress_line() {
    mkimage big "$T/img"
    [ -x "$UNPACK" ] || fail "burrow-unpack not found beside burrow ($UNPACK)"
    capture "$PAYLOAD" pty-run timeout:20 --- "$UNPACK" "$T/img" "$T/b"
    assert_success
    assert_match "$stdout" "layer 1 \(sha256:[0-9a-f]{12}\): [0-9.]+ / 17\.8 MB" "progress line"
    capture "$UNPACK" "$T/img" "$T/b2"
    assert_success
    assert_stderr_not_contains "MB"
}
