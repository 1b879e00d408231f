#!/bin/sh
# Build a static, KVM-only qemu-system-aarch64 for the test guest: Debian 13's
# QEMU 10.0.13 source package with the patch directory applied by git am,
# cross-compiled with Debian 12's aarch64 gcc. Does nothing when the source,
# the patches, the arm64 libraries and this script are what the last build
# used.
# Usage: scripts/qemu.sh SOURCE PATCHDIR OUT
#   SOURCE: "debian" (the source package, fetched through a private apt
#   configuration in OUT/apt: the machine's apt sources are not touched), or
#   a git clone of QEMU at v10.0.13. PATCHDIR: e.g. vmm/qemu, or "-" for QEMU
#   unpatched. Leaves OUT/qemu-system-aarch64 and OUT/build.log.
set -eu
me=qemu
. "$(dirname "$0")/lib.sh"

version=10.0.13
debver=1:10.0.13+ds-0+deb13u1
# QEMU 10.0 wants meson >= 1.5 (Debian 12 has 1.0.1) and pycotap (not in
# Debian 12): both are arch-all packages of Debian 13, used unpacked.
pydebs="meson=1.7.0-1 python3-pycotap=1.3.1-2"
# Debian 13's archive, from the mirror this machine's apt sources name.
mirror=${DEBIAN_MIRROR:-$(debian_mirror)}
[ -n "$mirror" ] || die "no Debian mirror in this machine's apt sources" \
	"(/etc/apt/sources.list, /etc/apt/sources.list.d): set DEBIAN_MIRROR"
# The arm64 libraries QEMU links statically, downloaded and unpacked by
# scripts/deps.sh (listed in "packages"); merged here into one sysroot.
libs="libglib2.0-dev libpcre2-dev zlib1g-dev libfdt-dev"
src=$1 pdir=$2 out=$3
script=$(realpath "$0")

[ "$pdir" = - ] || [ -f "$pdir/series" ] || die "$pdir/series is missing"
for l in $libs; do
	[ -d "build/deps/${l}_arm64" ] ||
		die "build/deps/${l}_arm64 is missing: run scripts/deps.sh as root (package $l:arm64)"
done

mkdir -p "$out/dl"
apt_conf() {
	mkdir -p "$out/apt/lists/partial"
	cat >"$out/apt/sources.list" <<-EOF
	deb-src $mirror trixie main
	deb [arch=$(dpkg --print-architecture)] $mirror trixie main
	EOF
	echo "-o Dir::Etc::sourcelist=$(realpath "$out/apt/sources.list")" \
		"-o Dir::Etc::sourceparts=- -o Dir::State::Lists=$(realpath "$out/apt/lists")" \
		"-o Dir::Cache=$(realpath "$out/apt") -o Debug::NoLocking=1"
}
apt_updated=
apt_private() {
	opts=$(apt_conf)
	if [ -z "$apt_updated" ]; then
		# shellcheck disable=SC2086
		apt-get -qq $opts update >"$out/apt/update.log" 2>&1 || {
			cat "$out/apt/update.log" >&2
			die "apt-get update of Debian 13 (trixie) from $mirror failed"
		}
		apt_updated=1
	fi
	# shellcheck disable=SC2086
	(cd "$out/dl" && apt-get -qq $opts "$@") >"$out/apt/get.log" 2>&1 || {
		cat "$out/apt/get.log" >&2
		die "apt-get $* from Debian 13 (trixie) failed"
	}
}

# The inputs: fetched once, kept in OUT/dl.
dsc=$out/dl/qemu_${debver#1:}.dsc
if [ "$src" = debian ]; then
	[ -f "$dsc" ] || apt_private source --download-only "qemu=$debver"
	src_id=$(cat "$dsc" "$out"/dl/qemu_*.tar.* | sha1sum | cut -c1-40)
elif [ -d "$src" ] && git -C "$src" rev-parse -q --verify HEAD >/dev/null 2>&1; then
	src_id=$(git -C "$src" rev-parse HEAD)
	[ "$(git -C "$src" describe --tags --exact-match HEAD 2>/dev/null)" = "v$version" ] ||
		die "$src is not at QEMU's tag v$version; the patches are for QEMU $version (QEMU=DIR)"
else
	die "QEMU=$src is neither \"debian\" (the source package) nor a git clone of QEMU at v$version"
fi
for d in $pydebs; do
	n=${d%%=*} v=${d#*=}
	[ -f "$out/dl/${n}_${v}_all.deb" ] || apt_private download "$d"
done

key=$( {
	echo "$src_id"
	[ "$pdir" = - ] || patch_digest "$pdir"
	for d in $pydebs; do echo "$d"; done
	for l in $libs; do find "build/deps/${l}_arm64" -type f | sort | xargs cat; done
	cat "$script"
} | sha1sum | cut -c1-40)
if [ -x "$out/qemu-system-aarch64" ] && [ "$(cat "$out/stamp" 2>/dev/null)" = "$key" ]; then
	exit 0
fi
rm -f "$out/stamp" "$out/qemu-system-aarch64"
rm -rf "$out/src" "$out/obj" "$out/py" "$out/sysroot"

# The source as a git tree, so that git am can apply the patches. From the
# source package, dpkg-source applies Debian's own patches, as Debian's build
# does: among them skip-unpack-edk2-blobs, since the +ds tarball carries no
# EDK2 firmware (neither does this build need any: -kernel boots Linux).
if [ "$src" = debian ]; then
	dpkg-source -q --no-check -x "$dsc" "$out/src" >"$out/dpkg-source.log" 2>&1 || {
		cat "$out/dpkg-source.log" >&2
		die "dpkg-source could not unpack $dsc"
	}
	base="qemu $debver (Debian 13 source package)"
else
	mkdir -p "$out/src"
	git -C "$src" archive --format=tar HEAD | tar -xf - -C "$out/src"
	base="qemu v$version"
fi
git -C "$out/src" init -q
git -C "$out/src" add -f -A
git -C "$out/src" -c user.name="$GIT_COMMITTER_NAME" \
	-c user.email="$GIT_COMMITTER_EMAIL" commit -q -m "$base"
if [ "$pdir" != - ]; then
	for p in $(patch_order "$pdir"); do
		git -C "$out/src" am -q "$(realpath "$p")" >"$out/am.log" 2>&1 || {
			cat "$out/am.log" >&2
			die "$p does not apply to $base"
		}
	done
fi
# The devices: the virt machine and what it selects, nothing else.
printf '# The virt machine only (scripts/qemu.sh)\nCONFIG_ARM_VIRT=y\n' \
	>"$out/src/configs/devices/aarch64-softmmu/kvm-virt.mak"

mkdir -p "$out/py" "$out/sysroot" "$out/obj"
for d in $pydebs; do
	dpkg -x "$out/dl/${d%%=*}_${d#*=}_all.deb" "$out/py"
done
for l in $libs; do
	cp -a "build/deps/${l}_arm64/." "$out/sysroot/"
done

sysroot=$(realpath "$out/sysroot")
# meson runs at build time too.
PYTHONPATH=$(realpath "$out/py/usr/lib/python3/dist-packages")
export PYTHONPATH
start=$(now)
# The cross gcc ignores LIBRARY_PATH, and meson's find_library looks only
# where the compiler says it looks: -B adds the sysroot's library directory.
(
	cd "$out/obj"
	PKG_CONFIG=pkg-config \
	PKG_CONFIG_LIBDIR=$sysroot/usr/lib/aarch64-linux-gnu/pkgconfig \
	PKG_CONFIG_SYSROOT_DIR=$sysroot \
	../src/configure --cross-prefix=aarch64-linux-gnu- \
		--target-list=aarch64-softmmu --disable-tcg --enable-kvm \
		--static --disable-docs --disable-tools --disable-user \
		--disable-install-blobs --python=/usr/bin/python3 \
		--without-default-features --without-default-devices \
		--with-devices-aarch64=kvm-virt --enable-fdt=system \
		-Dgio=disabled \
		--extra-cflags="-I$sysroot/usr/include -B$sysroot/usr/lib/aarch64-linux-gnu/"
) >"$out/configure.log" 2>&1 || {
	tail -n 20 "$out/configure.log" >&2
	die "QEMU's configure failed; the whole log: $out/configure.log"
}
ninja -C "$out/obj" -j"${JOBS:-2}" qemu-system-aarch64 >"$out/build.log" 2>&1 || {
	grep -B2 -A10 'error' "$out/build.log" | tail -n 30 >&2
	die "QEMU did not build; the whole log: $out/build.log"
}
echo "qemu: configure and build took $(($(now) - start)) s" >>"$out/build.log"
aarch64-linux-gnu-strip -o "$out/qemu-system-aarch64" "$out/obj/qemu-system-aarch64"
echo "$key" >"$out/stamp"
