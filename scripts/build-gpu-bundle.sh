#!/usr/bin/env bash
# Builds a self-contained drnet for a GPU node without a Swift toolchain:
#   dist/drnet-bundle/drnet        release binary, Swift runtime linked in (--static-swift-stdlib)
#   dist/drnet-bundle/lib/         libOpenCL.so.1 (ICD loader), libclblast.so.1, OpenBLAS and its
#                                  Fortran runtime, from this machine
#   dist/drnet-bundle/Kernels/     the OpenCL kernels (read at run time)
#   dist/drnet-bundle/run          wrapper: sets LD_LIBRARY_PATH and DRNET_KERNELS, and points the ICD
#                                  loader at the NVIDIA OpenCL driver when the node has no vendors file
#   dist/drnet-bundle.tar.xz       the folder, stripped and xz-compressed (at most 60 MiB: the device
#                                  tool's carry limit is 64 MiB); the script fails when it is larger
# Copy the folder (or unpack the archive) on the node and run e.g. `./run devices` or
# `./run bench --device opencl --sweep --json`.
set -euo pipefail
cd "$(dirname "$0")/.."
out=dist/drnet-bundle
swift build -c release --static-swift-stdlib --scratch-path .build-static --product drnet
rm -rf "$out" && mkdir -p "$out/lib" "$out/Kernels"
cp .build-static/release/drnet "$out/"
cp Kernels/*.cl "$out/Kernels/"
# Every shared library the binary needs beyond glibc and the GCC runtime (OpenCL ICD loader,
# CLBlast, OpenBLAS and its Fortran runtime), as resolved on this machine.
linked=$(ldd "$out/drnet")
for lib in libOpenCL.so.1 libclblast.so.1; do
    grep -q "$lib" <<<"$linked" || { echo "build-gpu-bundle: the binary does not link $lib" >&2; exit 1; }
done
while read -r name path; do
    case "$name" in
        libc.so.*|libm.so.*|libdl.so.*|libpthread.so.*|librt.so.*|ld-linux*|libgcc_s.so.*|libstdc++.so.*) ;;
        *) cp -L "$path" "$out/lib/$name" ;;
    esac
done <<<"$(awk '$2 == "=>" && $3 ~ /^\// { print $1, $3 }' <<<"$linked")"
# Symbols are not needed on the node: stripped, the binary shrinks from ~160 MB to a fraction.
strip --strip-unneeded "$out/drnet" "$out"/lib/*.so* 2>/dev/null || strip "$out/drnet"
cat > "$out/run" <<'RUN'
#!/usr/bin/env bash
here="$(cd "$(dirname "$0")" && pwd)"
# A bare environment (env -i, some batch systems) has no PATH; CPU OpenCL drivers such as PoCL
# run the system linker when they build kernels.
export PATH="${PATH:-/usr/local/bin:/usr/bin:/bin}"
export LD_LIBRARY_PATH="$here/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export DRNET_KERNELS="${DRNET_KERNELS:-$here/Kernels}"
if [ -z "${OCL_ICD_VENDORS:-}" ] && ! ls /etc/OpenCL/vendors/*.icd >/dev/null 2>&1; then
    # No ICD registry on the node: name the NVIDIA driver's OpenCL library by its absolute path
    # (the loader would otherwise search only the default library path).
    nvidia=""
    for candidate in $(ldconfig -p 2>/dev/null | awk '/libnvidia-opencl\.so\.1/ { print $NF }') \
        /usr/lib/x86_64-linux-gnu/libnvidia-opencl.so.1 /usr/lib64/libnvidia-opencl.so.1 \
        /usr/local/nvidia/lib64/libnvidia-opencl.so.1 /usr/lib/nvidia/libnvidia-opencl.so.1 \
        /usr/local/cuda/compat/libnvidia-opencl.so.1; do
        if [ -e "$candidate" ]; then nvidia="$candidate"; break; fi
    done
    if [ -n "$nvidia" ]; then
        mkdir -p "$here/vendors" && echo "$nvidia" > "$here/vendors/nvidia.icd"
        export OCL_ICD_VENDORS="$here/vendors"
    else
        echo "drnet bundle: no NVIDIA OpenCL library (libnvidia-opencl.so.1) on this node and no OpenCL vendors in" \
            "/etc/OpenCL/vendors: the GPU path is unavailable here; --device cpu (or auto) runs on the CPU" >&2
    fi
fi
exec "$here/drnet" "$@"
RUN
chmod +x "$out/run"
tar -C dist -cJf dist/drnet-bundle.tar.xz drnet-bundle
size=$(stat -c %s dist/drnet-bundle.tar.xz)
limit=$((60 * 1024 * 1024))
echo "bundle in $out: $(du -sh "$out" | cut -f1) unpacked; dist/drnet-bundle.tar.xz $((size / 1024 / 1024)) MiB" \
    "(limit 60 MiB); needs glibc ≥ 2.34 and libstdc++ on the node"
[ "$size" -le "$limit" ] || { echo "build-gpu-bundle: the archive is larger than 60 MiB" >&2; exit 1; }
