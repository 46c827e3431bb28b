import CCLBlast
import COpenCL
import DRNetCore
import Foundation

/// The OpenCL conformance of `ComputeBackend`: the kernels of `Kernels/*.cl` for the batched
/// peak decoder, the reconstruction loss and their gradients, the dense layers' element-wise parts
/// and Adam, and the dense layers' matrix products: our `skinny_gemm.cl` kernels for products
/// with a short batch dimension (training minibatches), CLBlast's SGEMM for the others. θ, its gradient, the Adam
/// moments, the activations and every decoder workspace are device buffers for the whole run.
///
/// Transfers are enqueued, not waited for: uploads go from staging copies (`DeviceBuffer.write`)
/// and results come back as downloads completed together by one finish. A training step thus
/// synchronises with the host three times: the forward pass (`forwardPass`: X uploaded once for
/// every network, their outputs and g, e read together), the decode (latents and patterns up;
/// loss parts and d loss/d latents down) and the step's end (`synchronise`); the backward pass,
/// the gradient scatters and Adam only enqueue. The constraint terms run on the host over the
/// few B×P values that cross. Device errors do not trap: the first is kept in `failure`, later
/// calls return zeros, and the solver stops and reports it.
public final class OpenCLBackend: ComputeBackend, @unchecked Sendable {
    public let device: OpenCLDevice
    public let program: KernelProgram
    public let decoder: PeakDecoder
    public let reconstructionLoss: ReconstructionLoss
    public let configuration: Configuration
    /// Per-kernel device times, collected while `recordsEvents` is set (bench; the device must
    /// have been opened with profiling).
    public var profile: KernelProfile? { recordsEvents ? profileStore : nil }
    let profileStore: KernelProfile?
    public var recordsEvents = false
    /// The first device error of the run (typed); `failure` is the same value for the seam.
    public private(set) var deviceError: OpenCLError?
    public var failure: (any Error)? { deviceError }

    // Kernels, by kernel file (host side: OpenCLPeakDecoder.swift, OpenCLReconstructionLoss.swift,
    // OpenCLDenseLayers.swift, OpenCLAdam.swift).
    let renderKernel, mixKernel, backwardKernel, backgroundBackwardKernel: Kernel
    let lossKernel: Kernel
    let biasReluKernel, biasGradKernel, reluBackKernel, gatherKernel, scatterKernel: Kernel
    let gemmNNKernel, gemmTNKernel, gemmNTKernel: Kernel
    let adamKernel: Kernel

    // Static decoder data.
    let T: Int, Tpad: Int, P: Int, nmax: Int
    let q, stickQ, stickH: DeviceBuffer<Float>
    let phaseStart: DeviceBuffer<Int32>
    /// C and the background's spline basis φ (C×T; one placeholder value when C = 0).
    let C: Int
    let bgBasis: DeviceBuffer<Float>

    // Batch workspaces (grow on demand).
    let pairSample, pairPhase, sampleStart, argmaxBuf, mixArgmax: DeviceBuffer<Int32>
    let fractions, shifts, logVar, factors, patterns, basis, normaliser, mixture, xhat, mixNorm, parts, gm: DeviceBuffer<Float>
    let gradW, gradS, gradV, gradIS, gradFPair: DeviceBuffer<Float>
    let bgCoeff, bgCurve, gradBg: DeviceBuffer<Float>
    /// The phases' pseudo-Voigt mixing η (P) and d loss/dη per rendered pair (L).
    let mixingBuf, gradEtaPair: DeviceBuffer<Float>
    /// The samples' instrument offsets (B×2) and d loss/d offsets per rendered pair (L×2).
    let offsetsBuf, gradOffPair: DeviceBuffer<Float>
    var lastBatch: (phases: [[Int32]], sampleStart: [Int32], pairCount: Int)?
    var downloaded: (xhat: [Float], mixNorm: [Float], mixArgmax: [Int32])?
    /// Whether the last batch had background coefficients (so `bgCurve` holds its curves).
    var lastBackground = false

    // Parameter store.
    var theta, grad, moment1, moment2: DeviceBuffer<Float>
    var parameterCount = 0
    var optimiser: AdamOptimizer?
    /// Per network (keyed by its parameter offset): activation buffers per layer (acts[0] = input).
    var activations: [Int: [DeviceBuffer<Float>]] = [:]
    var activationBatch: [Int: Int] = [:]
    let deltaA, deltaB: DeviceBuffer<Float>
    /// The input X that every network of a `forwardPass` reads (uploaded once per pass).
    let passInput: DeviceBuffer<Float>
    /// The library's max-normalised patterns (N×T), resident from `holdPatterns` on; nil when not
    /// held (every batch uploads its own).
    var heldPatterns: DeviceBuffer<Float>?
    let rowsBuf: DeviceBuffer<Int32>
    let rowsOut: DeviceBuffer<Float>

    /// Opens the backend on `device` for the decoder's stick library and grid.
    /// - Parameter kernelsDirectory: explicit `Kernels/` folder (else the search of `KernelSources`).
    public init(
        device: OpenCLDevice, decoder: PeakDecoder, reconstruction: ReconstructionLoss,
        kernelsDirectory: String? = nil, configuration: Configuration? = nil
    ) throws(OpenCLError) {
        self.device = device
        self.decoder = decoder
        self.reconstructionLoss = reconstruction
        let config: Configuration
        if let configuration {
            try configuration.validate(for: device.info)
            config = configuration
        } else {
            config = try Configuration.resolved(for: device.info)
        }
        self.configuration = config
        residentPatternLimitBytes = Self.residentPatternLimit(for: device.info)
        profileStore = device.profiling ? KernelProfile() : nil
        let source = try KernelSources.load(explicit: kernelsDirectory)
        program = try KernelProgram(device: device, source: source.source, options: config.buildOptions)
        renderKernel = try Kernel(program, "render_phases")
        mixKernel = try Kernel(program, "mix_phases")
        lossKernel = try Kernel(program, "reconstruction_loss")
        backwardKernel = try Kernel(program, "decoder_backward")
        backgroundBackwardKernel = try Kernel(program, "background_backward")
        biasReluKernel = try Kernel(program, "add_bias_relu")
        biasGradKernel = try Kernel(program, "bias_gradient")
        reluBackKernel = try Kernel(program, "relu_backward")
        gatherKernel = try Kernel(program, "gather_rows")
        scatterKernel = try Kernel(program, "scatter_add_rows")
        gemmNNKernel = try Kernel(program, "gemm_rows_nn")
        gemmTNKernel = try Kernel(program, "gemm_rows_tn")
        gemmNTKernel = try Kernel(program, "gemm_rows_nt")
        adamKernel = try Kernel(program, "adam_update")

        T = decoder.gridCount
        Tpad = ((T + config.lanes - 1) / config.lanes) * config.lanes
        P = decoder.phaseCount
        nmax = max(decoder.sticks.maxSticks, 1)
        var grid = Array(decoder.grid.prefix(T))
        let far = (grid.last ?? 0) + 1e6
        while grid.count < Tpad { grid.append(far) }
        q = try DeviceBuffer(device, count: Tpad)
        try q.write(grid)
        stickQ = try DeviceBuffer(device, count: decoder.sticks.position.count)
        try stickQ.write(decoder.sticks.position)
        stickH = try DeviceBuffer(device, count: decoder.sticks.height.count)
        try stickH.write(decoder.sticks.height)
        phaseStart = try DeviceBuffer(device, count: P + 1)
        try phaseStart.write(decoder.sticks.offsets.map { Int32($0) })
        C = decoder.backgroundCount
        bgBasis = try DeviceBuffer(device, count: max(C * T, 1))
        if let background = decoder.background { try bgBasis.write(background.values) }

        func f(_ n: Int) throws(OpenCLError) -> DeviceBuffer<Float> { try DeviceBuffer<Float>(device, count: n) }
        func i(_ n: Int) throws(OpenCLError) -> DeviceBuffer<Int32> { try DeviceBuffer<Int32>(device, count: n) }
        pairSample = try i(64); pairPhase = try i(64); sampleStart = try i(64); argmaxBuf = try i(64); mixArgmax = try i(64)
        fractions = try f(64); shifts = try f(64); logVar = try f(64); factors = try f(64); patterns = try f(64)
        basis = try f(64); normaliser = try f(64); mixture = try f(64); xhat = try f(64); mixNorm = try f(64)
        parts = try f(64); gm = try f(64)
        gradW = try f(64); gradS = try f(64); gradV = try f(64); gradIS = try f(64); gradFPair = try f(64)
        bgCoeff = try f(64); bgCurve = try f(64); gradBg = try f(64)
        mixingBuf = try f(max(P, 1)); gradEtaPair = try f(64)
        offsetsBuf = try f(64); gradOffPair = try f(64)
        theta = try f(1); grad = try f(1); moment1 = try f(1); moment2 = try f(1)
        deltaA = try f(64); deltaB = try f(64); passInput = try f(64)
        rowsBuf = try i(64); rowsOut = try f(64)
    }

    public var deviceName: String { "opencl:\(device.info.id) \(device.info.name)" }

    public var deviceOperations: DeviceTraffic? {
        let o = device.operations
        return DeviceTraffic(
            kernelLaunches: o.kernelLaunches, hostSynchronisations: o.hostSynchronisations, uploadBytes: o.uploadBytes,
            downloadBytes: o.downloadBytes)
    }

    /// Records the first device error; later operations are skipped.
    func guarded<R>(_ fallback: R, _ body: () throws(OpenCLError) -> R) -> R {
        guard deviceError == nil else { return fallback }
        do { return try body() } catch {
            deviceError = error
            return fallback
        }
    }

    /// Work-groups for n elements of an element-wise kernel.
    func elementGroups(_ n: Int) -> Int { (n + configuration.elementGroup - 1) / configuration.elementGroup }

    /// Work-groups for L pairs: one per pair, or `pairGroupCap` groups that loop over the pairs.
    func pairGroups(_ pairs: Int) -> Int {
        configuration.pairGroupCap > 0 ? min(pairs, configuration.pairGroupCap) : pairs
    }

    /// Waits for the queue (bench timing) and folds profiling events into `profile`.
    public func synchronise() {
        guarded(()) { () throws(OpenCLError) in try device.finish() }
        profileStore?.drain()
    }

    /// Device time per kernel name recorded so far (seconds), and clears it.
    public func takeKernelTimes() -> [String: Double] {
        guard let p = profileStore else { return [:] }
        p.drain()
        let t = p.seconds
        p.reset()
        return t
    }

    public func startKernelTiming() {
        synchronise()
        _ = takeKernelTimes()
        recordsEvents = profileStore != nil
    }

    public func stopKernelTiming() -> [String: Double] {
        synchronise()
        recordsEvents = false
        return takeKernelTimes()
    }

    /// The most bytes of patterns `holdPatterns` keeps on the device: the device's largest
    /// buffer (CL_DEVICE_MAX_MEM_ALLOC_SIZE), and at most half its global memory, so that the
    /// encoder, its Adam moments and the batch buffers keep room. Set from the device when the
    /// backend opens; a caller may lower it (tests do, to exercise the per-batch uploads).
    public var residentPatternLimitBytes: UInt64

    /// The limit `residentPatternLimitBytes` starts at for a device: min(largest buffer, ½ memory).
    public static func residentPatternLimit(for info: OpenCLInventory.Device) -> UInt64 {
        min(info.maxAllocationBytes, info.globalMemoryBytes / 2)
    }

    /// Keeps the library's patterns (N×T) on the device for the run. Not held (batches upload
    /// their patterns, with the same results) when the rows are not T wide, N·T does not fit
    /// the kernels' 32-bit element offsets, the patterns exceed `residentPatternLimitBytes`, or
    /// the device refuses the buffer; the returned residency says which. A refused buffer is
    /// not a device failure: the run goes on without it.
    @discardableResult public func holdPatterns(_ values: [Float], width: Int) -> PatternResidency {
        heldPatterns = nil
        guard width == T, !values.isEmpty, values.count % width == 0 else {
            return .uploadedPerBatch(reason: "the patterns are not \(T) points wide")
        }
        let bytes = UInt64(values.count) * UInt64(MemoryLayout<Float>.stride)
        let rows = values.count / width
        func mib(_ b: UInt64) -> String { String(format: "%.1f MiB", Double(b) / 1_048_576) }
        guard values.count <= Int(Int32.max) else {
            return .uploadedPerBatch(reason: "\(rows)×\(width) points exceed the kernels' 32-bit element offsets")
        }
        guard bytes <= residentPatternLimitBytes else {
            return .uploadedPerBatch(
                reason: "the library's \(rows)×\(width) patterns (\(mib(bytes))) exceed what this device keeps "
                    + "resident (\(mib(residentPatternLimitBytes)): its largest buffer, at most half its memory)")
        }
        guard deviceError == nil else { return .uploadedPerBatch(reason: "the device has failed") }
        do {
            let held = try DeviceBuffer<Float>(device, count: values.count)
            try held.write(values)
            // Waits once, at set-up: a device that allocates lazily reports a failed
            // allocation here rather than at the first training step.
            try device.finish()
            heldPatterns = held
            return .resident
        } catch {
            return .uploadedPerBatch(reason: "the device refused a buffer of \(mib(bytes)) for them (\(error))")
        }
    }

    /// Copies rows `rows` of the held patterns into `out` (B×T, one `gather_rows` launch) and
    /// returns true; false (nothing enqueued) when the patterns are not held or no rows are given.
    func gatherHeldPatterns(rows: [Int32], into out: DeviceBuffer<Float>) throws(OpenCLError) -> Bool {
        guard let held = heldPatterns, !rows.isEmpty else { return false }
        try enqueueGatherRows(from: held, offsets: rows.map { $0 * Int32(T) }, width: T, into: out)
        return true
    }
}
