// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "DRNet",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "DRNetCore", targets: ["DRNetCore"]),
        .executable(name: "drnet", targets: ["drnet"])
    ],
    dependencies: [
        // Pinned by exact version rather than by a committed Package.resolved: the revision ids of the
        // package mirrors on the project's machines are not upstream's, so a resolved file from here
        // would not resolve elsewhere.
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", exact: "0.9.20")
    ],
    targets: [
        // OpenBLAS's CBLAS interface (Debian: libopenblas-dev), used for the encoder's GEMMs.
        .systemLibrary(
            name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]),
        // The OpenCL ICD loader (Debian: ocl-icd-opencl-dev, opencl-headers).
        .systemLibrary(
            name: "COpenCL", path: "Sources/COpenCL", pkgConfig: "OpenCL",
            providers: [.apt(["ocl-icd-opencl-dev", "opencl-headers"])]),
        // CLBlast's C API (Debian: libclblast-dev), for the encoder's matrix products on OpenCL.
        .systemLibrary(
            name: "CCLBlast", path: "Sources/CCLBlast", pkgConfig: "clblast",
            providers: [.apt(["libclblast-dev"])]),
        // The OpenCL backend: host code only; the kernels are the top-level Kernels/*.cl files,
        // read at run time (--kernels, DRNET_KERNELS, next to the executable, the source tree).
        .target(
            name: "DRNetOpenCL",
            dependencies: ["DRNetCore", "COpenCL", "CCLBlast"]
        ),
        // The library, in modules whose dependencies point one way (see Sources/DRNetCore/Exports.swift).
        .target(name: "DRNetEngine", dependencies: ["CBLAS"]),
        .target(
            name: "DRNetIO",
            dependencies: ["DRNetEngine", .product(name: "ZIPFoundation", package: "ZIPFoundation")]
        ),
        .target(name: "DRNetCrystal", dependencies: ["DRNetEngine", "DRNetIO"]),
        .target(name: "DRNetSynthetic", dependencies: ["DRNetEngine", "DRNetIO", "DRNetCrystal"]),
        .target(name: "DRNetAnalysis", dependencies: ["DRNetEngine", "DRNetIO"]),
        .target(name: "DRNetPlotting", dependencies: ["DRNetEngine", "DRNetIO", "DRNetAnalysis"]),
        .target(
            name: "DRNetCore",
            dependencies: ["DRNetEngine", "DRNetIO", "DRNetCrystal", "DRNetSynthetic", "DRNetAnalysis", "DRNetPlotting"]
        ),
        .executableTarget(
            name: "drnet",
            dependencies: ["DRNetCore", "DRNetOpenCL", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .target(name: "TestSupport", dependencies: ["DRNetCore", "DRNetOpenCL"], path: "Tests/TestSupport"),
        .testTarget(name: "DRNetCLITests", dependencies: ["DRNetCore", "TestSupport"]),
        .testTarget(
            name: "DRNetCoreTests",
            dependencies: ["DRNetCore", "TestSupport", .product(name: "ZIPFoundation", package: "ZIPFoundation")]
        ),
        .testTarget(name: "DRNetOpenCLTests", dependencies: ["DRNetOpenCL", "DRNetCore", "TestSupport"])
    ]
)
