#!/usr/bin/env bash
# Runs a command in a fresh Debian 12 root, as a new user's machine: a minimal base made by mmdebstrap
# (cached as a tarball outside the clone), this checkout's HEAD cloned into it, /proc, /sys and /dev
# bind-mounted, then chroot. The apt sources are the host's, read now (no mirror is named here).
# Downloaded .deb files are kept in the cache so that a run does not fetch them again; what is
# *installed* in the root is still only what the project's own scripts install.
#
# Usage: .ci/fresh-debian.sh COMMAND     (run as root from the checkout; COMMAND goes to bash -c)
# Exit status: the command's; 75 when no fresh root can be made (no mmdebstrap, no network).
set -euo pipefail
src=$(git rev-parse --show-toplevel)
cache=${RNMT_CI_CACHE:-/var/cache/rnmt-ci}
sources=/etc/apt/sources.list.d/debian.sources
[[ -f $sources ]] || sources=/etc/apt/sources.list
cmd=$1

say() { echo "fresh-debian: $*" >&2; }
unavailable() { say "$*"; exit 75; }

((EUID == 0)) || unavailable "needs root (chroot and bind mounts)"
[[ -r $sources ]] || unavailable "no apt sources on this host to make a root from"
if ! command -v mmdebstrap >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mmdebstrap >/dev/null 2>&1 ||
    { apt-get update -qq >/dev/null 2>&1 &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mmdebstrap >/dev/null 2>&1; } ||
    unavailable "cannot install mmdebstrap"
fi

# The base is keyed by the sources it was made from: another mirror makes a new base.
mkdir -p "$cache/debs"
base=$cache/bookworm-$(sha256sum "$sources" | cut -c1-12).tar
if [[ ! -f $base ]]; then
  say "making the base root (once; cached as $base)"
  rm -f "$cache"/bookworm-*.tar
  # (mmdebstrap picks its output format from the name's ending: keep .tar last)
  mmdebstrap --quiet --variant=apt --include=ca-certificates,git bookworm "$base.part.tar" \
    "$sources" || { rm -f "$base.part.tar"; unavailable "mmdebstrap could not make a Debian 12 root"; }
  mv "$base.part.tar" "$base"
fi

root=$cache/root
mounts=(proc sys dev var/cache/apt/archives)
unmount_all() {
  local m
  for m in "${mounts[@]}"; do
    mountpoint -q "$root/$m" 2>/dev/null && umount -l "$root/$m"
  done
  # Never delete through a mount that is still there (it would be the host's /dev or /proc).
  for m in "${mounts[@]}"; do
    if mountpoint -q "$root/$m" 2>/dev/null; then say "$root/$m is still mounted"; return 1; fi
  done
}
unmount_all
rm -rf --one-file-system "$root"
mkdir -p "$root"
tar -C "$root" -xf "$base"
git clone -q "$src" "$root/project"
[[ -d $src/../shared ]] && cp -r "$src/../shared" "$root/shared"
cp /etc/resolv.conf "$root/etc/resolv.conf"
trap 'unmount_all && rm -rf --one-file-system "$root"' EXIT
for m in proc sys dev; do mount --bind "/$m" "$root/$m"; done
mount --bind "$cache/debs" "$root/var/cache/apt/archives"
# The base's apt deletes downloaded packages after installing them; keep them for the next run.
rm -f "$root/etc/apt/apt.conf.d/docker-clean"
echo 'Binary::apt::APT::Keep-Downloaded-Packages "true";' >"$root/etc/apt/apt.conf.d/10keep-debs"

say "running in a fresh Debian 12 root: $cmd"
status=0
chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 CI="${CI:-}" \
  bash -c "cd /project && $cmd" || status=$?
exit "$status"
