#!/usr/bin/env bash
# Builds a self-contained drnet for a GPU node without a Swift toolchain:
#   dist/drnet-bundle/drnet        release binary, Swift runtime linked in (--static-swift-stdlib)
#   dist/drnet-bundle/lib/         libOpenCL.so.1 (ICD loader), libclblast.so.1, OpenBLAS and its
#                                  Fortran runtime, from this machine
#   dist/drnet-bundle/Kernels/     the OpenCL kernels (read at run time)
#   dist/drnet-bundle/run          wrapper: sets LD_LIBRARY_PATH and DRNET_KERNELS, and points the ICD
#                                  loader at the NVIDIA OpenCL driver when the node has no vendors file
# Copy the folder to the node and run e.g. `./run devices` or `./run bench --device opencl --sweep --json`.
set -euo pipefail
cd "$(dirname "$0")/.."
out=dist/drnet-bundle
swift build -c release --static-swift-stdlib --scratch-path .build-static
rm -rf "$out" && mkdir -p "$out/lib" "$out/Kernels"
cp .build-static/release/drnet "$out/"
cp Kernels/*.cl "$out/Kernels/"
# Every shared library the binary needs beyond glibc and the GCC runtime (OpenCL ICD loader,
# CLBlast, OpenBLAS and its Fortran runtime), as resolved on this machine.
for lib in libOpenCL.so.1 libclblast.so.1; do
    ldd "$out/drnet" | grep -q "$lib" || { echo "build-gpu-bundle: the binary does not link $lib" >&2; exit 1; }
done
ldd "$out/drnet" | awk '$2 == "=>" && $3 ~ /^\// { print $1, $3 }' | while read -r name path; do
    case "$name" in
        libc.so.*|libm.so.*|libdl.so.*|libpthread.so.*|librt.so.*|ld-linux*|libgcc_s.so.*|libstdc++.so.*) ;;
        *) cp -L "$path" "$out/lib/$name" ;;
    esac
done
cat > "$out/run" <<'RUN'
#!/usr/bin/env bash
here="$(cd "$(dirname "$0")" && pwd)"
# A bare environment (env -i, some batch systems) has no PATH; CPU OpenCL drivers such as PoCL
# run the system linker when they build kernels.
export PATH="${PATH:-/usr/local/bin:/usr/bin:/bin}"
export LD_LIBRARY_PATH="$here/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export DRNET_KERNELS="${DRNET_KERNELS:-$here/Kernels}"
if [ -z "${OCL_ICD_VENDORS:-}" ] && ! ls /etc/OpenCL/vendors/*.icd >/dev/null 2>&1; then
    # No ICD registry on the node: name the NVIDIA driver's OpenCL library directly.
    mkdir -p "$here/vendors" && echo "libnvidia-opencl.so.1" > "$here/vendors/nvidia.icd"
    export OCL_ICD_VENDORS="$here/vendors"
fi
exec "$here/drnet" "$@"
RUN
chmod +x "$out/run"
echo "bundle in $out: $(du -sh "$out" | cut -f1); needs glibc ≥ 2.34 and libstdc++ on the node"
