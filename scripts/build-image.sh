#!/usr/bin/env bash
# scripts/build-image.sh - builds the Gatehouse container image with no registry and no base image.
#
#   scripts/build-image.sh [DIST_DIR] [IMAGE]
#
#   DIST_DIR  the unpacked distribution (default: distribution/target/gatehouse-<version>, made by
#             `mvn -pl distribution -am package`)
#   IMAGE     the image name (default gatehouse:<version>; gatehouse:latest is tagged too)
#
# The docker command talks to the engine in DOCKER_HOST (or the default socket). Needs a JDK with its jmods (the one
# in JAVA_HOME, else the jlink on PATH; Debian's openjdk-17-jdk-headless has them), busybox-static, tar and ldd.
#
# What goes into the root filesystem, and why (nothing is downloaded; everything comes from this machine):
#   /opt/java            a Java runtime made by jlink with only the modules the gateway and its bundled plugins
#                        use (jdeps over lib/ and plugins/), plus those loaded as services that jdeps cannot see
#                        (jdk.crypto.ec for ECDHE/ECDSA TLS, jdk.zipfs for plugin archives, jdk.naming.dns)
#   /opt/gatehouse       the distribution: bin/gatehouse (the entry point), lib/, plugins/; no conf/gatehouse.yml,
#                        so flags alone are the configuration, as with Traefik's image
#   /etc/gatehouse       the working directory: a gatehouse.yml mounted here is read (as /etc/traefik/traefik.yml)
#   shared libraries     those the runtime's binaries and the jars' native libraries link (libc, libz, libstdc++,
#                        the dynamic loader...), from the host
#   /bin/busybox         static: the shell and tools the launcher script uses (sh, readlink, ls...), and the
#                        host's cksum (coreutils; busybox has none)
#   /etc/passwd, group   root and the user the gateway runs as: gatehouse, uid and gid 65532
#   CA certificates      the host's Java trust store as the runtime's cacerts (Let's Encrypt, other public CAs)
#   /var/lib/gatehouse   writable by gatehouse: ACME storage (mount a volume here); /tmp for Conscrypt's native library
# The launcher's own class-data-sharing archive is off (GATEHOUSE_CDS=off): Java 17 writes it as the JVM exits, which
# in a container means at the first stop of every new container (seconds added to `docker restart`, and to stop
# timeouts); the runtime's default archive of JDK classes (jlink --generate-cds-archive) is used instead.
# The tar is loaded with `docker import`, which sets the entry point, user, environment and ports.
#
# The image is labelled with a checksum of its inputs; when an image of that name already has the same checksum,
# nothing is rebuilt (the end-to-end test calls this once per run).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
log() { printf '[build-image %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "$*"; exit 1; }

DIST="${1:-}"
if [ -z "$DIST" ]; then
  for d in "$HERE"/distribution/target/gatehouse-*/; do [ -x "$d/bin/gatehouse" ] && DIST="${d%/}"; done
fi
[ -n "$DIST" ] && [ -x "$DIST/bin/gatehouse" ] \
  || die "no distribution found: build it first with 'mvn -B -pl distribution -am package -DskipTests', or name its folder"
DIST="$(cd "$DIST" && pwd)"
VERSION="${DIST##*/gatehouse-}"
IMAGE="${2:-gatehouse:$VERSION}"
USER_ID=65532

# The JDK in JAVA_HOME, else the one whose jlink is on PATH: its runtime is the image's (Java 17, the build's target).
if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/jlink" ]; then JAVA_BIN="$JAVA_HOME/bin"
else JAVA_BIN="$(dirname "$(readlink -f "$(command -v jlink)")")" || die "jlink not found: install a JDK (openjdk-17-jdk-headless)"; fi
JMODS="$(dirname "$JAVA_BIN")/jmods"
[ -f "$JMODS/java.base.jmod" ] || die "no jmods in $JMODS: jlink needs them (Debian: openjdk-17-jdk-headless)"
BUSYBOX="$(command -v busybox)" || die "busybox not found: apt-get install busybox-static"
case "$(ldd "$BUSYBOX" 2>&1)" in *"not a dynamic"*) ;; *) die "$BUSYBOX is not statically linked: apt-get install busybox-static" ;; esac

# ---- cached? ----------------------------------------------------------------------------------------------------
checksum="$( { sha256sum "${BASH_SOURCE[0]}"; "$JAVA_BIN/java" -version 2>&1;
  cd "$DIST" && find bin lib plugins -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum; } | sha256sum | cut -c1-32)"
if [ "$(docker image inspect -f '{{index .Config.Labels "dev.gatehouse.inputs"}}' "$IMAGE" 2>/dev/null)" = "$checksum" ]; then
  log "$IMAGE is up to date (inputs $checksum)"
  exit 0
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-image.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
ROOT="$WORK/rootfs"
mkdir -p "$ROOT"

# ---- Java runtime -----------------------------------------------------------------------------------------------
log "jdeps over lib/ and plugins/"
modules="$("$JAVA_BIN/jdeps" --multi-release 17 --ignore-missing-deps --print-module-deps \
  "$DIST"/lib/*.jar "$DIST"/plugins/*.jar)" || die "jdeps failed"
modules="$modules,jdk.crypto.ec,jdk.zipfs,jdk.naming.dns"
log "jlink $modules"
"$JAVA_BIN/jlink" --module-path "$JMODS" --add-modules "$modules" --output "$ROOT/opt/java" \
  --strip-debug --no-header-files --no-man-pages --compress=2 --generate-cds-archive
# Debian's JDK keeps its CA store outside the jmods (a link to /etc/ssl/certs/java/cacerts): put the real one in.
rm -f "$ROOT/opt/java/lib/security/cacerts"
cp -L "$(readlink -f "$(dirname "$JAVA_BIN")/lib/security/cacerts")" "$ROOT/opt/java/lib/security/cacerts"

# ---- shared libraries the runtime links -------------------------------------------------------------------------
# ldd of every ELF file of the runtime, and of the Linux x86-64 native libraries inside the jars (Conscrypt's
# BoringSSL needs libstdc++ and libgcc_s, which the JVM does not); each library, and the dynamic loader, copied
# to the same path.
mkdir -p "$WORK/native"
for jar in "$DIST"/lib/*.jar "$DIST"/plugins/*.jar; do
  entries="$("$JAVA_BIN/jar" tf "$jar" | grep -E '\.so$' | grep -i -E 'linux' | grep -i -E 'x86.64|amd64' || true)"
  [ -z "$entries" ] || (cd "$WORK/native" && "$JAVA_BIN/jar" xf "$jar" $entries)
done
find "$ROOT/opt/java" "$WORK/native" -type f \( -name '*.so' -o -perm -u+x \) -print0 \
  | xargs -0 ldd 2>/dev/null | awk '/=> \// {print $3} /^\t\/.*ld-linux/ {print $1}' | sort -u >"$WORK/libs"
while read -r lib; do
  case "$lib" in "$ROOT"/*) continue ;; esac   # the runtime's own libraries
  mkdir -p "$ROOT$(dirname "$lib")"
  cp -L "$lib" "$ROOT$lib"
done <"$WORK/libs"
[ -d "$ROOT/lib64" ] || { mkdir -p "$ROOT/lib64"; ln -s /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 "$ROOT/lib64/" 2>/dev/null || true; }

# ---- busybox, users, files the JVM and the resolver read --------------------------------------------------------
mkdir -p "$ROOT/bin" "$ROOT/etc" "$ROOT/tmp" "$ROOT/var/lib/gatehouse" "$ROOT/etc/gatehouse"
cp "$BUSYBOX" "$ROOT/bin/busybox"
for applet in $("$BUSYBOX" --list); do [ "$applet" = busybox ] || ln -sf busybox "$ROOT/bin/$applet"; done
# The launcher keys its class-sharing archive with cksum, which busybox lacks: coreutils' links only libc (copied above).
cp "$(command -v cksum)" "$ROOT/bin/cksum"
chmod 1777 "$ROOT/tmp"
cat >"$ROOT/etc/passwd" <<PASSWD
root:x:0:0:root:/root:/bin/sh
gatehouse:x:$USER_ID:$USER_ID:Gatehouse:/var/lib/gatehouse:/bin/false
PASSWD
cat >"$ROOT/etc/group" <<GROUP
root:x:0:
gatehouse:x:$USER_ID:
GROUP
echo 'hosts: files dns' >"$ROOT/etc/nsswitch.conf"

# ---- the distribution -------------------------------------------------------------------------------------------
mkdir -p "$ROOT/opt/gatehouse"
cp -a "$DIST/bin" "$DIST/lib" "$DIST/plugins" "$ROOT/opt/gatehouse/"
[ -f "$DIST/README.txt" ] && cp "$DIST/README.txt" "$ROOT/opt/gatehouse/"

# ---- tar and import ---------------------------------------------------------------------------------------------
# Owned by root, except the folder the gateway writes: ACME storage.
writable=(./var/lib/gatehouse)
excludes=(); for w in "${writable[@]}"; do excludes+=("--exclude=$w"); done
tar -C "$ROOT" --numeric-owner --owner=0 --group=0 "${excludes[@]}" -cf "$WORK/rootfs.tar" .
tar -C "$ROOT" --numeric-owner --owner="$USER_ID" --group="$USER_ID" -rf "$WORK/rootfs.tar" "${writable[@]}"
log "rootfs $(du -sh "$ROOT" | cut -f1), importing as $IMAGE"
docker import \
  -c "ENTRYPOINT [\"/opt/gatehouse/bin/gatehouse\"]" \
  -c "USER $USER_ID:$USER_ID" \
  -c "WORKDIR /etc/gatehouse" \
  -c "ENV JAVA_HOME=/opt/java PATH=/opt/java/bin:/opt/gatehouse/bin:/bin GATEHOUSE_CDS=off" \
  -c "EXPOSE 80 443 8080" \
  -c "VOLUME /var/lib/gatehouse" \
  -c "LABEL dev.gatehouse.inputs=$checksum org.opencontainers.image.title=Gatehouse org.opencontainers.image.version=$VERSION" \
  "$WORK/rootfs.tar" "$IMAGE" >/dev/null
[ "$IMAGE" = "gatehouse:$VERSION" ] && docker tag "$IMAGE" gatehouse:latest
log "built $IMAGE ($(docker image inspect -f '{{.Size}}' "$IMAGE" | awk '{printf "%.0f MB", $1/1000000}'))"
