import Foundation

extension OpenCLBackend {
    /// Device-dependent kernel shape: the macros of `Kernels/common.cl` and the host's launch
    /// sizes, in one place.
    ///
    /// - `lanes` (LANES): floats per work-item chunk in the decoder's grid loops and in Adam;
    ///   1, 4, 8 or 16.
    /// - `pairGroup` (WG_PAIR): work-group size of the per-(sample, phase) decoder kernels; a
    ///   power of two (their reductions are fixed-order trees).
    /// - `sampleGroup` (WG_SAMPLE): work-group size of the per-sample mixture and loss kernels;
    ///   a power of two.
    /// - `elementGroup`: work-group size of the element-wise kernels (bias, ReLU, gathers, Adam).
    /// - `pairGroupCap`: at most this many pair work-groups per launch (0: one per pair); each
    ///   group loops over pairs (CPU devices, where a launch per pair costs more than the pair).
    /// - `skinnyRows`: dense-layer products whose batch dimension is at most this many rows run
    ///   on our kernels (`Kernels/skinny_gemm.cl`), larger ones on CLBlast's SGEMM; 0: CLBlast for
    ///   every product.
    /// - `gemmGroup`: work-group size of those kernels (1 on CPUs: each core takes whole groups,
    ///   and a product has only N/LANES column work-items).
    ///
    /// The default comes from the device (`forDevice`); the environment variable
    /// `DRNET_KERNEL_SHAPE` overrides any of the fields, e.g.
    /// `DRNET_KERNEL_SHAPE=lanes=8,pairGroup=1,sampleGroup=1,elementGroup=64,pairGroupCap=16`
    /// (used to run the OpenCL tests at other vector widths than the device's own).
    public struct Configuration: Sendable, Codable, Hashable {
        public var lanes: Int
        public var pairGroup: Int
        public var sampleGroup: Int
        public var elementGroup: Int
        /// At most this many pair work-groups per launch (0: one per pair); each loops over pairs.
        public var pairGroupCap: Int
        /// Products with a batch dimension of at most this many rows use `skinny_gemm.cl` (0: none).
        public var skinnyRows: Int
        /// Work-group size of the `skinny_gemm.cl` kernels.
        public var gemmGroup: Int

        public init(
            lanes: Int, pairGroup: Int, sampleGroup: Int, elementGroup: Int, pairGroupCap: Int = 0,
            skinnyRows: Int = Configuration.defaultSkinnyRows, gemmGroup: Int = 1
        ) {
            self.skinnyRows = skinnyRows
            self.gemmGroup = gemmGroup
            self.pairGroupCap = pairGroupCap
            self.lanes = lanes
            self.pairGroup = pairGroup
            self.sampleGroup = sampleGroup
            self.elementGroup = elementGroup
        }

        /// The batch rows up to which `skinny_gemm.cl` replaces CLBlast by default on GPUs: the
        /// training minibatch (10 by default, up to 64), not the inference chunks (256), where
        /// CLBlast's tuned tiles are expected to win (to be measured on a GPU).
        public static let defaultSkinnyRows = 64
        /// The same on CPU devices: every product the solver makes (chunks are at most 256
        /// samples). Measured on PoCL (2-core EPYC, one run): the training step 93.8 ms against
        /// 192.7 ms with CLBlast, inference 318 against 205 samples/s, and a cold start (no
        /// compiled-program caches) of 17.3 s against 29.8 s, since CLBlast's program is never
        /// built.
        public static let cpuSkinnyRows = 256

        /// The environment variable that overrides fields of the device's default shape.
        public static let environmentVariable = "DRNET_KERNEL_SHAPE"

        /// GPUs: scalar lanes (coalesced), one warp (32) per pair, 256-wide sample groups. CPUs
        /// (PoCL): explicit vectors of the native float width, one work-item per group (each
        /// core runs whole groups; PoCL vectorises explicit floatN code, not scalar code).
        public static func forDevice(_ info: OpenCLInventory.Device) -> Configuration {
            if info.type == "CPU" {
                let w = info.nativeFloatVectorWidth
                let lanes = w >= 16 ? 16 : (w >= 8 ? 8 : (w >= 4 ? 4 : 1))
                return Configuration(
                    lanes: lanes, pairGroup: 1, sampleGroup: 1, elementGroup: 64,
                    pairGroupCap: 8 * max(info.computeUnits, 1), skinnyRows: cpuSkinnyRows, gemmGroup: 1)
            }
            let group = min(256, max(info.maxWorkGroupSize, 1))
            return Configuration(
                lanes: 1, pairGroup: min(32, group), sampleGroup: group, elementGroup: group, gemmGroup: min(64, group))
        }

        /// The device's default shape with the fields named in `DRNET_KERNEL_SHAPE` (if set)
        /// replaced, validated against the kernels and the device.
        public static func resolved(
            for info: OpenCLInventory.Device,
            environment: [String: String] = ProcessInfo.processInfo.environment
        )
            throws(OpenCLError) -> Configuration
        {
            var shape = forDevice(info)
            if let text = environment[environmentVariable], !text.trimmingCharacters(in: .whitespaces).isEmpty {
                try shape.apply(override: text)
            }
            try shape.validate(for: info)
            return shape
        }

        /// Replaces the fields named in `text` ("field=value,field=value").
        mutating func apply(override text: String) throws(OpenCLError) {
            let source = "\(Self.environmentVariable)='\(text)'"
            for item in text.split(separator: ",") {
                let pair = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard pair.count == 2, let value = Int(pair[1]) else {
                    throw .invalidConfiguration("\(source): expected field=integer, found '\(item)'")
                }
                switch pair[0] {
                case "lanes": lanes = value
                case "pairGroup": pairGroup = value
                case "sampleGroup": sampleGroup = value
                case "elementGroup": elementGroup = value
                case "pairGroupCap": pairGroupCap = value
                case "skinnyRows": skinnyRows = value
                case "gemmGroup": gemmGroup = value
                default:
                    throw .invalidConfiguration(
                        "\(source): unknown field '\(pair[0])' (expected lanes, pairGroup, sampleGroup, elementGroup, "
                            + "pairGroupCap, skinnyRows or gemmGroup)")
                }
            }
        }

        /// Checks the shape against what the kernels accept and the device's work-group limit.
        public func validate(for info: OpenCLInventory.Device) throws(OpenCLError) {
            func powerOfTwo(_ v: Int) -> Bool { v > 0 && v & (v - 1) == 0 }
            guard [1, 4, 8, 16].contains(lanes) else {
                throw .invalidConfiguration("lanes = \(lanes): expected 1, 4, 8 or 16")
            }
            for (name, value) in [("pairGroup", pairGroup), ("sampleGroup", sampleGroup)] where !powerOfTwo(value) {
                throw .invalidConfiguration("\(name) = \(value): expected a power of two (the kernels' reductions are trees)")
            }
            guard elementGroup > 0 else { throw .invalidConfiguration("elementGroup = \(elementGroup): expected ≥ 1") }
            guard pairGroupCap >= 0 else { throw .invalidConfiguration("pairGroupCap = \(pairGroupCap): expected ≥ 0") }
            guard skinnyRows >= 0 else { throw .invalidConfiguration("skinnyRows = \(skinnyRows): expected ≥ 0 (0: CLBlast only)") }
            guard gemmGroup > 0 else { throw .invalidConfiguration("gemmGroup = \(gemmGroup): expected ≥ 1") }
            let limit = info.maxWorkGroupSize
            if limit > 0 {
                for (name, value) in [
                    ("pairGroup", pairGroup), ("sampleGroup", sampleGroup), ("elementGroup", elementGroup), ("gemmGroup", gemmGroup)
                ]
                where value > limit {
                    throw .invalidConfiguration("\(name) = \(value) exceeds the device's maximum work-group size \(limit) (\(info.name))")
                }
            }
        }

        /// "lanes 16, pair group 1, sample group 1, element group 64, pair-group cap 16, skinny GEMM ≤ 64 rows (group 1)".
        public var summary: String {
            "lanes \(lanes), pair group \(pairGroup), sample group \(sampleGroup), element group \(elementGroup), "
                + "pair-group cap \(pairGroupCap), "
                + (skinnyRows > 0 ? "skinny GEMM ≤ \(skinnyRows) rows (group \(gemmGroup))" : "CLBlast GEMM only")
        }

        /// Shapes worth comparing on `info` (the device's default first): on CPU devices every
        /// vector width the kernels support; on GPUs pair groups of 32/64/128 lanes and sample
        /// groups of 128/256 (within the device's work-group limit).
        public static func candidates(for info: OpenCLInventory.Device) -> [Configuration] {
            let base = forDevice(info)
            var out = [base]
            // The dense layers' products on CLBlast alone, for comparison.
            var clblast = base
            clblast.skinnyRows = 0
            out.append(clblast)
            if info.type == "CPU" {
                for lanes in [1, 4, 8, 16] where lanes != base.lanes {
                    var s = base
                    s.lanes = lanes
                    out.append(s)
                }
            } else {
                for pair in [32, 64, 128] {
                    for sample in [128, 256] {
                        var s = base
                        s.pairGroup = pair
                        s.sampleGroup = sample
                        if s != base, (try? s.validate(for: info)) != nil { out.append(s) }
                    }
                }
            }
            return out
        }

        var buildOptions: String {
            "-DLANES=\(lanes) -DWG_PAIR=\(pairGroup) -DWG_SAMPLE=\(sampleGroup) -cl-std=CL1.2"
        }
    }
}
