// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "DRNet",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "DRNetCore", targets: ["DRNetCore"]),
        .executable(name: "drnet", targets: ["drnet"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // OpenBLAS's CBLAS interface (Debian: libopenblas-dev), used for the encoder's GEMMs.
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        // The OpenCL ICD loader (Debian: ocl-icd-opencl-dev, opencl-headers).
        .systemLibrary(name: "COpenCL", path: "Sources/COpenCL", pkgConfig: "OpenCL",
                       providers: [.apt(["ocl-icd-opencl-dev", "opencl-headers"])]),
        .target(name: "DRNetOpenCL", dependencies: ["DRNetCore", "COpenCL"]),
        .target(
            name: "DRNetCore",
            dependencies: ["CBLAS"],
            swiftSettings: [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]
        ),
        .executableTarget(
            name: "drnet",
            dependencies: ["DRNetCore", "DRNetOpenCL", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .target(name: "TestSupport", dependencies: ["DRNetCore"], path: "Tests/TestSupport"),
        .testTarget(name: "DRNetCoreTests", dependencies: ["DRNetCore", "TestSupport"]),
        .testTarget(name: "DRNetOpenCLTests", dependencies: ["DRNetOpenCL"]),
    ]
)
